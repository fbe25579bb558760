"""Reading KB articles from Markdown folders, CSV, JSONL and Parquet."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from triage.dataset import write_articles
from triage.errors import DataError
from triage.kb import read_kb
from triage.schema import KBArticle


def test_kb_reads_markdown_folder_with_front_matter_and_heading(tmp_path: Path) -> None:
    (tmp_path / "vpn.md").write_text(
        "---\nid: KB-7\ncategory: Network\nlanguage: en\n"
        "updated_at: 2026-03-01T10:00:00+00:00\n---\n# VPN drops\n\nUpdate the client.\n"
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "printer-jam.md").write_text(
        "# Printer jam\nOpen tray 2 and remove the paper.\n"
    )
    articles = {a.article_id: a for a in read_kb(tmp_path)}
    assert set(articles) == {"KB-7", "printer-jam"}
    vpn = articles["KB-7"]
    assert (vpn.title, vpn.body, vpn.category) == ("VPN drops", "Update the client.", "Network")
    assert vpn.updated_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert articles["printer-jam"].title == "Printer jam"


def test_kb_reads_csv_with_aliases(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    path.write_text(
        "id,title,content,topic\nKB1,Reset password,Use the portal,Access\n"
        "KB2,Disk full,Clean up,Storage\n"
    )
    articles = read_kb(path)
    assert [a.article_id for a in articles] == ["KB1", "KB2"]
    assert articles[0].body == "Use the portal" and articles[0].category == "Access"


def test_kb_reads_jsonl_and_names_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_text(json.dumps({"article_id": "A", "title": "T", "body": "B"}) + "\n\n{not json\n")
    with pytest.raises(DataError, match=r"kb.jsonl:3: not valid JSON"):
        read_kb(path)
    path.write_text(json.dumps({"article_id": "A", "title": "T", "body": "B"}) + "\n")
    assert read_kb(path)[0].title == "T"


def test_kb_reads_normalised_parquet(tmp_path: Path) -> None:
    article = KBArticle(article_id="KB9", title="Wifi", body="Forget the network and rejoin.")
    write_articles([article], tmp_path / "kb_articles.parquet")
    assert read_kb(tmp_path / "kb_articles.parquet") == [article]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("title,body\nT,B\n", r"kb\.csv:2: .*has no id"),
        (
            "id,title,body\nA,T,B\nB,T,B\nA,U,C\n",
            r"kb\.csv:4: .*appears twice \(first at .*kb\.csv:2\)",
        ),
        ("id,title,body\nA,,\n", r"kb\.csv:2: .*no text"),
        ("id,title,body,updated_at\nA,T,B,yesterday\n", r"kb\.csv:2: .*not an ISO 8601"),
    ],
)
def test_kb_rejects_bad_rows_with_line_numbers(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "kb.csv"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        read_kb(path)


def test_kb_rejects_unknown_format_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "kb.docx").write_text("x")
    with pytest.raises(DataError, match="unknown KB format"):
        read_kb(tmp_path / "kb.docx")
    with pytest.raises(DataError, match="no such file"):
        read_kb(tmp_path / "absent.csv")
