"""`triage index|similar|kb|embedder`: build and query similar-ticket and KB indexes."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import typer
from numpy.typing import NDArray

from training.cli.apps import app, embedder_app, index_app, kb_app
from training.cli.common import (
    JsonOption,
    emit,
    fail,
    handle_errors,
    load_tickets,
    local_paths,
    progress_bar,
    redacted,
    say_rejections,
    stderr,
)
from triage import ingest
from triage.bundle import RETRIEVAL_DIR, bundle_embedder, verify_bundle
from triage.dataset import ARTICLES_FILE, not_articles_file, write_articles
from triage.embeddings import Embedder, load_embedder
from triage.errors import DataError
from triage.kb import read_kb
from triage.onnx_embedder import OnnxEmbedder, export_onnx_int8
from triage.outputs import EMBEDDER, RETRIEVER, check_file_out, check_folder_out
from triage.retrieval.retriever import Retriever, is_indexable, saved_embedder_spec
from triage.schema import KBArticle

IndexOption = typer.Option(
    ..., "--index", "-i", help="A retriever folder from `triage index build`."
)
SearchIndexOption = typer.Option(
    ...,
    "--index",
    "-i",
    help="A retriever folder from `triage index build`, or a model bundle (its index is searched "
    "read-only, with the bundle's embedder).",
)
EmbedderOption = typer.Option(
    None,
    "--embedder",
    "-e",
    help="minilm (default), minilm-torch, minilm-onnx-int8, or a model folder; "
    "for an existing index the stamped embedder is used.",
)
MappingOption = typer.Option(
    None,
    "--mapping",
    "-m",
    help="Mapping preset or YAML for a raw export (default: normalised Parquet).",
)
ENCODE_CHUNK = 256


def _encode(embedder: Embedder, texts: list[str], show: bool) -> NDArray[np.float32]:
    chunks = []
    with progress_bar("embedding", total=len(texts), enabled=show) as advance:
        for start in range(0, len(texts), ENCODE_CHUNK):
            chunk = texts[start : start + ENCODE_CHUNK]
            chunks.append(embedder.encode(chunk))
            advance(len(chunk))
    return np.vstack(chunks) if chunks else np.zeros((0, embedder.dim), dtype=np.float32)


def _open(index: Path, embedder_spec: str | None) -> Retriever:
    return Retriever.load(index, load_embedder(embedder_spec or saved_embedder_spec(index)))


def _bundle_of(index: Path) -> Path | None:
    """The bundle folder when `index` is a bundle or its `retrieval/` folder, else None."""
    for folder in (index, index.parent):
        is_bundle = (folder / "manifest.json").is_file() and (folder / RETRIEVAL_DIR).is_dir()
        if is_bundle and (folder == index or index.name == RETRIEVAL_DIR):
            return folder
    return None


def _open_to_search(index: Path) -> Retriever:
    """An index folder, or a bundle's index (checked against the bundle's manifest, with the
    bundle's own embedder) for searching only: a bundle is never written in place."""
    bundle = _bundle_of(index)
    if bundle is None:
        return _open(index, None)
    manifest = verify_bundle(bundle)
    embedder = bundle_embedder(bundle, manifest)
    if embedder is None:
        raise fail(f"{bundle}: the bundle names no embedder; it cannot search")
    return Retriever.load(bundle / RETRIEVAL_DIR, embedder, verified=True)


PairsOption = typer.Option(
    None,
    "--pairs",
    help='JSONL of known related pairs, {"query": ticket id, "related": ticket or article id} '
    'per line (e.g. agents\' "this solved it"): more data to calibrate the cut-offs on.',
)


@index_app.command("build")
@handle_errors
def build(
    data: Path = typer.Option(
        ..., "--data", "-d", help="Tickets: normalised Parquet or, with --mapping, any export."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the retriever to."),
    mapping: str | None = MappingOption,
    kb: Path | None = typer.Option(
        None, "--kb", help="KB articles: Markdown folder, CSV, JSONL or Parquet."
    ),
    embedder: str | None = EmbedderOption,
    pairs: Path | None = PairsOption,
    as_json: bool = JsonOption,
) -> None:
    """Index the solved tickets (and KB articles) of a dataset; calibrate the relevance cut-offs
    on the data itself (known pairs, near-duplicates flagged at import, unrelated queries)."""
    inputs = {"--data": data, "--kb": kb, "--pairs": pairs, "--embedder": embedder}
    check_folder_out(out, RETRIEVER, local_paths(inputs))
    model = load_embedder(embedder)
    everything, related = _tickets_and_duplicates(data, mapping)
    _refuse_repeated_ids(data, [t.ticket_id for t in everything])  # before the embedding
    tickets = redacted([t for t in everything if is_indexable(t)])
    if not tickets:
        raise DataError(
            f"{data}: no solved ticket with a solution to index; the index needs resolved or "
            "closed tickets with a solution (map the solution column with --mapping)"
        )
    if pairs:
        related += _known_pairs(pairs, {t.ticket_id for t in everything})
    articles: list[KBArticle] = read_kb(kb) if kb else []
    vectors = _encode(model, [t.text for t in tickets], show=not as_json)
    with progress_bar("calibrating", total=None, enabled=not as_json):
        retriever = Retriever.build(
            tickets, articles, model, ticket_vectors=vectors, related=related
        )
    retriever.save(out)
    emit({"out": str(out), **retriever.stats(), "calibration": retriever.calibration}, as_json)


def _tickets_and_duplicates(
    data: Path, mapping: str | None
) -> tuple[list[Any], list[tuple[str, str]]]:
    """The tickets of `data` and, read through a mapping, the near-duplicate pairs the import
    flagged (later ticket, earlier ticket): known matches to calibrate on."""
    if mapping is None:
        return load_tickets(data, None), []
    result = ingest.read_tickets(data, ingest.load_mapping(mapping))
    say_rejections(result.report)
    near = [
        (p.ticket_id, p.duplicate_of) for p in result.report.duplicate_pairs if p.kind == "near"
    ]
    return result.tickets, near


def _known_pairs(path: Path, ids: set[str]) -> list[tuple[str, str]]:
    """The pairs of `path` whose two ids are tickets of the data; the others cannot calibrate
    anything, and are counted on stderr rather than dropped unsaid."""
    found = read_pairs(path)
    known = [(a, b) for a, b in found if a in ids and b in ids]
    unknown = [a if a not in ids else b for a, b in found if a not in ids or b not in ids]
    if unknown:
        stderr().print(
            f"pairs: {path}: {len(unknown)} of {len(found)} name a ticket id not in --data "
            f"(e.g. {unknown[0]!r}); they are left out of the calibration",
            highlight=False,
            markup=False,
        )
    return known


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """(query id, related id) from a JSONL file of {"query", "related"} objects."""
    return _jsonl_pairs(path, "query", "related")


def _jsonl_pairs(path: Path, first: str, second: str) -> list[tuple[str, str]]:
    """(row[first], row[second]) of every non-blank line of a JSONL file; `DataError` naming
    the line otherwise."""
    out = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append((str(row[first]), str(row[second])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataError(
                f'{path}:{n}: expected a JSON object with "{first}" and "{second}" ({exc})'
            ) from exc
    return out


@index_app.command("add")
@handle_errors
def add(
    index: Path = IndexOption,
    data: Path = typer.Option(
        ..., "--data", "-d", help="Tickets to add (solved ones are indexed)."
    ),
    mapping: str | None = MappingOption,
    embedder: str | None = EmbedderOption,
    as_json: bool = JsonOption,
) -> None:
    """Add newly solved tickets to an index without rebuilding it."""
    retriever = _open(index, embedder)
    tickets = redacted(load_tickets(data, mapping))
    _refuse_repeated_ids(data, [t.ticket_id for t in tickets])
    solved = [t for t in tickets if is_indexable(t)]
    vectors = _encode(retriever.embedder, [t.text for t in solved], show=not as_json)
    removed = 0
    for ticket in tickets:  # unsolved ones only drop an older indexed version
        if not is_indexable(ticket):
            removed += retriever.has_ticket(ticket.ticket_id)
            retriever.add_ticket(ticket)
    replaced = sum(retriever.has_ticket(t.ticket_id) for t in solved)
    for ticket, vector in zip(solved, vectors, strict=True):
        retriever.add_ticket(ticket, vector=vector)
    retriever.save(index)
    emit(
        {
            "index": str(index),
            "added": len(solved),  # indexed now, `replaced` of them over an older version
            "replaced": replaced,
            "removed_unsolved": removed,
            "skipped_unsolved": len(tickets) - len(solved) - removed,
            **retriever.stats(),
        },
        as_json,
    )


def _refuse_repeated_ids(data: Path, ids: list[str]) -> None:
    """`DataError` naming the ids that occur twice in one input (as `index build` refuses
    them): which row's text is meant is the user's call, not the last row's."""
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise DataError(
            f"{data}: ticket id(s) {repeated[:5]} occur more than once ({len(repeated)} in all); "
            "keep one row per ticket"
        )


@index_app.command("remove")
@handle_errors
def remove(
    item_id: str = typer.Argument(..., help="Ticket or article id to erase."),
    index: Path = IndexOption,
    as_json: bool = JsonOption,
) -> None:
    """Erase a ticket or article from an index (vector, text and metadata); exit 2 if absent."""
    retriever = _open(index, None)
    removed = retriever.remove(item_id)
    if not removed:
        raise fail(f"{item_id}: not in {index}")
    retriever.save(index)
    emit({"index": str(index), "removed": item_id, **retriever.stats()}, as_json)


def _answer(retriever: Any, text: str, k: int, floors: dict[str, float]) -> dict[str, Any]:
    vector = retriever.embedder.encode([text])[0]
    similar = retriever.similar(text, k=k, vector=vector, floor=floors["tickets"])
    kb = retriever.kb(text, k=min(k, 3), vector=vector, floor=floors["kb"])
    return {"similar": [_plain(s) for s in similar], "kb": [_plain(a) for a in kb]}


def _plain(obj: Any) -> dict[str, Any]:
    return asdict(obj)


def _queries(path: Path) -> list[tuple[str, str]]:
    return _jsonl_pairs(path, "id", "text")


def _cutoff_choice(min_relevance: str | None, show_all: bool) -> str | float | None:
    """What `--min-relevance` / `--all` ask for: None (the index's floor), a name or a number."""
    if show_all:
        if min_relevance is not None:
            raise fail("give --all or --min-relevance, not both")
        return "all"
    if min_relevance is None or min_relevance in ("weak", "strong"):
        return min_relevance
    try:
        return float(min_relevance)
    except ValueError:
        raise fail(
            f"--min-relevance {min_relevance!r}: use weak, strong or a number such as 0.3"
        ) from None


@app.command("similar")
@handle_errors
def similar(
    text: str | None = typer.Argument(None, help="A ticket text (or use --queries)."),
    index: Path = SearchIndexOption,
    queries: Path | None = typer.Option(
        None, "--queries", "-q", help='JSONL: {"id", "text"} per line.'
    ),
    k: int = typer.Option(5, "--k", "-k", min=1, help="Similar tickets per query."),
    min_relevance: str | None = typer.Option(
        None,
        "--min-relevance",
        help="Cut-off: weak (default: the index's calibrated floor, strong and weak results), "
        "strong (strong results only) or a number.",
    ),
    show_all: bool = typer.Option(
        False, "--all", help="No cut-off: the k best, however weak (to study the ranking)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Similar solved tickets (and KB articles) for one text or a file of queries, each marked
    strong or weak; the JSON says which cut-off was applied and where it came from."""
    if (text is None) == (queries is None):
        raise fail("give either a TEXT or --queries FILE")
    choice = _cutoff_choice(min_relevance, show_all)
    retriever = _open_to_search(index)
    cuts = {name: retriever.cutoff(choice, name) for name in ("tickets", "kb")}
    floors = {name: value for name, (value, _) in cuts.items()}
    batch = _queries(queries) if queries else [("query", text or "")]
    results = []
    with progress_bar(
        "querying", total=len(batch), enabled=not as_json and len(batch) > 1
    ) as advance:
        for qid, qtext in batch:
            results.append({"id": qid, **_answer(retriever, qtext, k, floors)})
            advance(1)
    applied = {name: record for name, (_, record) in cuts.items()}
    summary = {"index": str(index), "k": k, "cutoff": applied, "results": results}
    emit(summary, as_json, _human(results, applied))


def _human(results: list[dict[str, Any]], applied: dict[str, dict[str, Any]]) -> str:
    cut = applied["tickets"]
    value = "none" if cut["value"] is None else f"{cut['value']:.3f}"
    lines = [f"cut-off: {cut['cutoff']} {value} ({cut['source']})"]
    for result in results:
        lines.append(f"[bold]{result['id']}[/]")
        if not result["similar"]:
            lines.append("  no similar solved ticket")
        for s in result["similar"]:
            head = f"  {s['similarity']:.3f} {s['relevance']:<6}"
            lines.append(f"{head}  {s['ticket_id']}  {s['subject'][:70]}")
        for a in result["kb"]:
            lines.append(
                f"  KB {a['score']:.3f} {a['relevance']:<6}  {a['article_id']}  {a['title'][:70]}"
            )
    return "\n".join(lines)


@kb_app.command("import")
@handle_errors
def kb_import(
    file: Path = typer.Argument(..., help="Markdown folder, CSV, JSONL or Parquet of articles."),
    index: Path | None = typer.Option(
        None, "--index", "-i", help="Add the articles to this index."
    ),
    out: str | None = typer.Option(
        None,
        "--out",
        "-o",
        help=f"The Parquet file to write the normalised articles to; a folder (one that exists, "
        f"or a path ending in /) gets {ARTICLES_FILE} inside. An existing file is replaced only "
        "when it holds KB articles written before.",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Read KB articles; add them to an index and/or write them as a normalised Parquet file."""
    target = _articles_target(out) if out is not None else None
    if target is not None:
        inputs = {"FILE": file, "--index": index}
        check_file_out(target, local_paths(inputs), replaceable=not_articles_file)
    articles = read_kb(file)
    summary: dict[str, Any] = {"file": str(file), "read": len(articles)}
    if target is not None:
        summary["out"] = str(write_articles(articles, target))
    if index is not None:
        retriever = _open(index, None)
        with progress_bar("embedding", total=len(articles), enabled=not as_json) as advance:
            for article in articles:
                retriever.add_article(article)
                advance(1)
        retriever.save(index)
        summary.update(retriever.stats())
    emit(summary, as_json)


def _articles_target(out: str) -> Path:
    """The file `kb import --out` writes: `out`, or `ARTICLES_FILE` in it when it is a folder
    (an existing one, or a path ending in a separator, which `Path` would drop)."""
    folder = out.endswith(("/", os.sep)) or Path(out).is_dir()
    return Path(out) / ARTICLES_FILE if folder else Path(out)


@embedder_app.command("export")
@handle_errors
def export(
    out: Path = typer.Option(
        Path("models/embedder-onnx"), "--out", "-o", help="Folder for the ONNX model."
    ),
    model: Path | None = typer.Option(
        None, "--model", help="sentence-transformers folder (default: packaged MiniLM)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Export MiniLM to ONNX int8 (offline, deterministic); use it with --embedder DIR."""
    check_folder_out(out, EMBEDDER, local_paths({"--model": model}))
    with progress_bar("exporting", total=None, enabled=not as_json):
        folder = export_onnx_int8(out, model)
    embedder = OnnxEmbedder(folder)
    files = {p.name: p.stat().st_size for p in sorted(folder.iterdir())}
    emit({"out": str(folder), "name": embedder.name, "dim": embedder.dim, "files": files}, as_json)
