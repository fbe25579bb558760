"""`Retriever.article`: the whole KB article an agent opens from a suggestion."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from triage.embeddings import HashingEmbedder
from triage.retrieval import Retriever
from triage.schema import KBArticle

LONG_BODY = "Step 1: open the VPN client.\n" + "Check the gateway address. " * 30
ARTICLES = [
    KBArticle(
        article_id="KB-VPN",
        title="VPN drops",
        body=LONG_BODY,
        category="Network",
        language="en",
        updated_at=datetime(2026, 1, 5, tzinfo=UTC),
    ),
    KBArticle(article_id="KB-PRINT", title="Printer jams", body="Open tray 2."),
]


def test_kb_article_lookup_returns_the_whole_article_after_a_save_load(tmp_path: Path) -> None:
    embedder = HashingEmbedder(32)
    built = Retriever.build([], ARTICLES, embedder)
    loaded = Retriever.load(built.save(tmp_path / "retrieval"), embedder)
    found = loaded.article("KB-VPN")
    assert found == ARTICLES[0]  # every field, the body whole (not the 240-character snippet)
    assert len(found.body) > 240
    assert loaded.article("KB-NONE") is None


def test_kb_article_lookup_of_an_older_index_gives_the_snippet() -> None:
    retriever = Retriever.build([], ARTICLES, HashingEmbedder(32))
    del retriever.articles.dense.metadata("KB-VPN")["body"]  # as indexes saved before the body
    assert retriever.article("KB-VPN").body == LONG_BODY[:240]
