"""Read knowledge-base articles from a Markdown folder, CSV, JSONL or normalised Parquet."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from triage.dataset import as_utc, read_articles
from triage.errors import DataError, TicketValueError
from triage.schema import KBArticle

logger = logging.getLogger(__name__)

ALIASES: dict[str, tuple[str, ...]] = {
    "article_id": ("article_id", "id", "kb_id", "article", "number"),
    "title": ("title", "subject", "name", "short_description"),
    "body": ("body", "content", "text", "answer", "solution", "description"),
    "category": ("category", "topic", "queue"),
    "language": ("language", "lang"),
    "updated_at": ("updated_at", "updated", "modified", "last_modified"),
}


def read_kb(path: Path) -> list[KBArticle]:
    """Articles from a folder of `.md` files, a `.csv`, a `.jsonl` or a normalised `.parquet`.

    Markdown: optional YAML front matter (`id`, `title`, `category`, `language`, `updated_at`),
    the first `# heading` as title when none is given, the file stem as id. CSV/JSONL columns may
    use common aliases (`id`, `content`, `text`, ...). Raises `DataError` naming the file and line.
    """
    path = Path(path)
    found: list[tuple[str, KBArticle]]  # where each article came from, for messages
    if path.is_dir():
        found = [(str(p), _markdown_article(p)) for p in sorted(path.rglob("*.md"))]
    elif not path.is_file():
        raise DataError(
            f"{path}: no such file or folder; pass a Markdown folder, CSV, JSONL or Parquet"
        )
    elif path.suffix.lower() == ".csv":
        found = [(f"{path}:{n}", _article(row, path, n)) for n, row in _csv_rows(path)]
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        found = [(f"{path}:{n}", _article(row, path, n)) for n, row in _jsonl_rows(path)]
    elif path.suffix.lower() == ".parquet":
        found = [(f"{path}: row {i + 1}", a) for i, a in enumerate(read_articles(path))]
    else:
        raise DataError(
            f"{path}: unknown KB format {path.suffix!r}; use .md folder, .csv, .jsonl, .parquet"
        )
    _check_unique(found)
    return [article for _, article in found]


def _check_unique(found: list[tuple[str, KBArticle]]) -> None:
    first: dict[str, str] = {}
    for where, article in found:
        if article.article_id in first:
            raise DataError(
                f"{where}: article id {article.article_id!r} appears twice (first at "
                f"{first[article.article_id]}); ids must be unique"
            )
        first[article.article_id] = where


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise DataError(f"{path}:{n}: expected a JSON object per line")
            yield n, row


def _pick(row: Mapping[str, Any], field: str) -> Any:
    lowered = {str(k).strip().lower(): v for k, v in row.items()}
    for alias in ALIASES[field]:
        value = lowered.get(alias)
        if value not in (None, ""):
            return value
    return None


def _article(
    row: Mapping[str, Any], path: Path, line: int, default_id: str | None = None
) -> KBArticle:
    values = {field: _pick(row, field) for field in ALIASES}
    values["article_id"] = str(values["article_id"] or default_id or "")
    if not values["article_id"]:
        raise DataError(f"{path}:{line}: article has no id (column article_id or id)")
    try:
        return KBArticle(
            article_id=values["article_id"],
            title=str(values["title"] or ""),
            body=str(values["body"] or ""),
            category=_opt_str(values["category"]),
            language=_opt_str(values["language"]),
            updated_at=_timestamp(values["updated_at"], path, line),
        )
    except TicketValueError as exc:
        raise DataError(f"{path}:{line}: {exc}") from exc


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _timestamp(value: Any, path: Path, line: int) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return as_utc(value) if value is not None else None
    try:
        return as_utc(datetime.fromisoformat(str(value)))
    except ValueError as exc:
        raise DataError(
            f"{path}:{line}: updated_at {value!r} is not an ISO 8601 timestamp"
        ) from exc


def _markdown_article(path: Path) -> KBArticle:
    text = path.read_text(encoding="utf-8")
    meta, body = _front_matter(text, path)
    if not _pick(meta, "title"):
        lines = body.splitlines()
        heading = next((n for n, line in enumerate(lines) if line.startswith("# ")), None)
        if heading is not None:
            meta["title"] = lines[heading][2:].strip()
            body = "\n".join(lines[:heading] + lines[heading + 1 :])
    meta["body"] = body.strip()
    return _article(meta, path, 1, default_id=path.stem)


def _front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        raise DataError(f"{path}: front matter opened with --- but never closed")
    import yaml

    try:
        meta = yaml.safe_load(text[3:end]) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: front matter is not valid YAML ({exc})") from exc
    if not isinstance(meta, dict):
        raise DataError(f"{path}: front matter must be a mapping of keys to values")
    return {str(k): v for k, v in meta.items()}, text[end + 4 :]
