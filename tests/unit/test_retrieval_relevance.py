"""Strong and weak results, the floor a caller asks for, what the manifest records, KB votes."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pytest

# tests/unit is on sys.path (pytest's default import mode, no __init__.py): reuse the tickets.
from test_retrieval_retriever import ARTICLES, _ticket, _tickets

from triage.embeddings import HashingEmbedder
from triage.errors import ConfigError
from triage.retrieval import Retriever
from triage.schema import KBArticle, SupportLine

UNRELATED = "quarterly marketing budget cafeteria menu"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return Retriever.build(_tickets(), ARTICLES, HashingEmbedder(1024))


def test_relevance_results_are_marked_strong_above_the_strong_cut_off(
    retriever: Retriever,
) -> None:
    hits = retriever.similar("vpn connection drops every few minutes from home", k=10)
    strong = retriever.tickets.strong_relevance
    assert hits and [h.relevance for h in hits] == [
        "strong" if h.similarity >= strong else "weak" for h in hits
    ]
    assert hits[0].relevance == "strong"
    assert all(h.similarity >= retriever.tickets.min_relevance for h in hits)


def test_relevance_floor_drops_unrelated_but_all_shows_the_k_best(retriever: Retriever) -> None:
    assert retriever.similar(UNRELATED, k=5) == []
    every = retriever.similar(UNRELATED, k=5, floor=-math.inf)
    assert len(every) == 5 and all(h.relevance == "weak" for h in every)


def test_relevance_strong_cut_off_keeps_only_strong_results(retriever: Retriever) -> None:
    value, record = retriever.cutoff("strong")
    assert record == {
        "cutoff": "strong",
        "value": retriever.tickets.strong_relevance,
        "source": "calibrated",
    }
    query = "printer on floor 3 jammed with a paper error"
    strong = retriever.similar(query, k=10, floor=value)
    shown = retriever.similar(query, k=10)
    assert {h.relevance for h in shown} == {"strong", "weak"}  # the cut has something to drop
    assert strong == [h for h in shown if h.relevance == "strong"]


def test_relevance_cutoff_names_and_numbers(retriever: Retriever) -> None:
    assert retriever.cutoff(None)[0] == retriever.tickets.min_relevance
    assert retriever.cutoff("weak", "kb")[1]["cutoff"] == "floor"
    assert retriever.cutoff("all")[0] == -math.inf
    assert retriever.cutoff(0.3)[1] == {"cutoff": "fixed", "value": 0.3, "source": "asked for"}
    for bad in ("medium", math.nan):
        with pytest.raises(ConfigError, match="unknown"):
            retriever.cutoff(bad)
    assert retriever.cutoff(-1.0)[0] == -1.0 and retriever.cutoff(1)[0] == 1.0
    for outside, keeps in ((7, "nothing"), (1.01, "nothing"), (-3, "everything")):
        with pytest.raises(ConfigError, match=f"outside the relevance scale.*keep {keeps}"):
            retriever.cutoff(outside)


def test_relevance_manifest_records_what_was_calibrated_on(
    retriever: Retriever, tmp_path: Path
) -> None:
    saved = json.loads((retriever.save(tmp_path / "r") / "retriever.json").read_text())
    tickets, kb = saved["calibration"]["tickets"], saved["calibration"]["kb"]
    assert tickets["floor"]["source"] == "calibrated"
    assert tickets["floor"]["sources"]["same KB article"]["kept_at_floor"] >= 0.95
    assert kb["floor"]["sources"]["ticket -> its KB article"]["matches_in_top10"] > 0
    assert tickets["floor"]["unrelated"]["queries"] >= 100
    assert set(tickets["strong"]) >= {"value", "source", "queries", "correct"}


def test_relevance_supplied_pairs_are_a_calibration_source() -> None:
    tickets = _tickets()
    linked = [t for t in tickets if t.kb_article_id in ("KB-VPN", "KB-PWD")]
    related = [(t.ticket_id, t.kb_article_id or "") for t in linked]
    related += [(t.ticket_id, t.ticket_id) for t in tickets]  # a ticket with itself: ignored
    r = Retriever.build(tickets, ARTICLES, HashingEmbedder(1024), related=related)
    assert "supplied pairs" not in r.calibration["tickets"]["floor"]["sources"]
    assert r.calibration["kb"]["floor"]["sources"]["supplied pairs"]["queries"] == len(linked)


def test_relevance_kb_suggests_the_article_that_solved_similar_tickets() -> None:
    tickets = _tickets() + [
        _ticket(
            f"Z{i}", f"zebra plotter smudges labels {i}", "KB-Z", "Hardware", SupportLine.FIRST, i
        )
        for i in range(6)
    ]
    cartridge = KBArticle(article_id="KB-Z", title="Cartridge care", body="Swap it yearly.")
    articles = [*ARTICLES, cartridge]
    r = Retriever.build(tickets, articles, HashingEmbedder(1024))
    query = "zebra plotter smudges labels again"
    direct = r.articles.search(query, r.embedder.encode([query])[0], 5, r.config, gate=False)
    assert max(h.score for h in direct) < r.articles.min_relevance  # no article text matches
    assert r.kb(query)[0].article_id == "KB-Z"  # the tickets it solved vote for it


def test_relevance_index_saved_before_strong_and_weak_shows_every_result_as_strong(
    retriever: Retriever, tmp_path: Path
) -> None:
    folder = retriever.save(tmp_path / "old")
    sums = json.loads((folder / "checksums.json").read_text())
    for name in ("tickets.json", "articles.json"):
        state = json.loads((folder / name).read_text())
        del state["strong_relevance"]
        data = json.dumps(state).encode()
        (folder / name).write_bytes(data)
        sums[name] = hashlib.sha256(data).hexdigest()
    (folder / "checksums.json").write_text(json.dumps(sums))
    old = Retriever.load(folder, HashingEmbedder(1024))
    hits = old.similar("vpn connection drops every few minutes from home", k=10)
    assert hits and all(h.relevance == "strong" for h in hits)
