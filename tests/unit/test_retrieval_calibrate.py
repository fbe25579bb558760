"""Cut-off calibration, known pairs, the unrelated queries and KB votes: rules on hand-made data."""

from __future__ import annotations

import numpy as np
import pytest

from triage.embeddings import HashingEmbedder
from triage.retrieval import calibrate, pairs
from triage.retrieval.calibrate import Probe
from triage.retrieval.config import RetrievalConfig
from triage.retrieval.index import Hit
from triage.retrieval.kb_links import article_votes, with_votes
from triage.retrieval.lexical import BM25Index, tokenize
from triage.retrieval.ood import unrelated_texts
from triage.schema import Ticket


def _probe(score: float | None, rank: int | None = 1, other: float = 0.1) -> Probe:
    return Probe(rank, score, score, rank == 1, other)


def test_calibrate_floor_bound_keeps_the_asked_share() -> None:
    scores = np.linspace(0.2, 0.8, 101).tolist()
    bound = calibrate.floor_bound(scores, 0.95)
    assert np.mean([s >= bound for s in scores]) >= 0.95
    assert np.mean([s >= bound + 1e-9 for s in scores]) < 0.95  # and no higher


def test_calibrate_emptying_bound_leaves_the_asked_share_empty() -> None:
    tops = np.linspace(0.0, 0.5, 40).tolist()
    bound = calibrate.emptying_bound(tops, 0.9)
    assert np.mean([t < bound for t in tops]) >= 0.9
    assert np.mean([t < tops[35] for t in tops]) < 0.9  # a lower cut-off would not do


def test_calibrate_floor_is_capped_by_the_hardest_source() -> None:
    easy = [_probe(s) for s in np.linspace(0.6, 0.9, 40)]
    hard = [_probe(s) for s in np.linspace(0.2, 0.5, 40)]
    unrelated = [0.8] * 20  # emptying them would need 0.8: keeping the matches wins
    fit = calibrate.fit_floor({"easy": easy, "hard": hard}, unrelated, 0.95, 0.9)
    assert fit["value"] == pytest.approx(calibrate.floor_bound(np.linspace(0.2, 0.5, 40), 0.95))
    assert fit["rule"].startswith("keeps")
    assert fit["sources"]["hard"]["kept_at_floor"] >= 0.95
    assert fit["sources"]["easy"]["kept_at_floor"] == 1.0


def test_calibrate_floor_is_the_lowest_that_empties_the_unrelated_queries() -> None:
    matches = [_probe(s) for s in np.linspace(0.5, 0.9, 40)]
    unrelated = np.linspace(0.05, 0.3, 50).tolist()
    fit = calibrate.fit_floor({"m": matches}, unrelated, 0.95, 0.9)
    assert fit["value"] == pytest.approx(calibrate.emptying_bound(unrelated, 0.9))
    assert fit["rule"].startswith("leaves") and fit["sources"]["m"]["kept_at_floor"] == 1.0
    assert calibrate.unrelated_record(unrelated, fit["value"], 0.9)["met"] is True


def test_calibrate_floor_ignores_matches_outside_the_top_10_and_small_sources() -> None:
    outside = [_probe(0.01, rank=11) for _ in range(30)] + [_probe(0.5) for _ in range(25)]
    tiny = [_probe(0.05) for _ in range(5)]
    fit = calibrate.fit_floor({"a": outside, "tiny": tiny}, [], 0.95, 0.9)
    assert fit["value"] == pytest.approx(0.5)
    assert "bound" not in fit["sources"]["tiny"]


def test_calibrate_floor_falls_back_to_the_unrelated_queries() -> None:
    tops = np.linspace(0.1, 0.3, 50).tolist()
    fit = calibrate.fit_floor({"few": [_probe(0.4)] * 3}, tops, 0.95, 0.9)
    assert fit["rule"].startswith("leaves")
    assert np.mean([t < fit["value"] for t in tops]) >= 0.9


def test_calibrate_collection_fixed_values_win_and_strong_is_never_below_the_floor() -> None:
    def ranker(text, vector, exclude, stand_in):  # type: ignore[no-untyped-def]
        return [("doc", 0.3)]

    unrelated = (["x"] * 12, np.zeros((12, 4), dtype=np.float32))
    fixed = calibrate.calibrate_collection(
        ranker, [], unrelated, RetrievalConfig(min_relevance=0.4, strong_relevance=0.2)
    )
    assert (fixed.floor, fixed.strong) == (0.4, 0.4)
    assert fixed.record["floor"]["source"] == "config (fixed)"
    assert fixed.record["floor"]["unrelated"]["empty_at_floor"] == 1.0
    default = calibrate.calibrate_collection(ranker, [], ([], unrelated[1][:0]), RetrievalConfig())
    assert default.record["floor"]["source"].startswith("config default")


def test_calibrate_unrelated_record_says_when_the_target_is_missed() -> None:
    record = calibrate.unrelated_record([0.1, 0.2, 0.3, 0.4], 0.25, 0.9)
    assert record["empty_at_floor"] == 0.5 and record["met"] is False
    assert record["floor_needed"] > 0.4


def test_pairs_head_body_stands_the_body_in_for_its_ticket() -> None:
    items = [
        (f"T{i}", f"printer {i} on floor", f"paper jam number {i} in the tray") for i in range(30)
    ]
    found = pairs.head_body_pairs("subject", items, HashingEmbedder(64), limit=12)
    assert found is not None and len(found) == 12
    stand_in = found.stand_ins[0]
    assert stand_in is not None and found.relevant[0] == {stand_in.item_id}
    assert stand_in.text.startswith("paper jam") and found.texts[0].startswith("printer")
    assert pairs.head_body_pairs("subject", items[:5], HashingEmbedder(64), 12) is None


def test_pairs_supplied_matches_keep_only_indexed_related_ids() -> None:
    known = pairs.supplied_matches(
        [("a", "b"), ("a", "zz"), ("c", "c"), ("d", "b")], {"b"}.__contains__
    )
    assert known == {"a": frozenset({"b"}), "d": frozenset({"b"})}


def test_pairs_same_article_peers_leave_the_ticket_itself_out() -> None:
    tickets = [
        Ticket(ticket_id=f"T{i}", subject="x", kb_article_id="KB-1" if i < 3 else None)
        for i in range(5)
    ]
    peers = pairs.same_article_peers(tickets)
    assert peers(tickets[0]) == {"T1", "T2"} and peers(tickets[4]) == frozenset()


def test_ood_unrelated_texts_cover_three_languages() -> None:
    texts = unrelated_texts()
    assert len(texts) >= 100 and not any(t.startswith("#") for t in texts)
    joined = " ".join(texts)
    assert " the " in joined and " het " in joined and " der " in joined


def test_lexical_dutch_and_german_stop_words_are_dropped() -> None:
    assert tokenize("Mijn de het een printer") == ["printer"]
    assert tokenize("Der Drucker ist nicht erreichbar") == ["drucker", "erreichbar"]
    assert "door" in tokenize("the door badge reader")  # an English word, kept


def test_lexical_cosine_pair_equals_the_indexed_score() -> None:
    index = BM25Index()
    docs = {f"d{i}": f"vpn gateway {i} drops tunnel wifi {i % 3}" for i in range(12)}
    index.add(list(docs), list(docs.values()))
    ids, scores = index.cosine_scores("vpn tunnel drops")
    for row, item in enumerate(ids):
        assert index.cosine_pair("vpn tunnel drops", docs[item]) == pytest.approx(scores[row])


def test_kb_links_votes_weigh_neighbours_by_relevance() -> None:
    hits = [
        Hit("T1", 0.8, {"kb_article_id": "KB-1"}),
        Hit("T2", 0.6, {"kb_article_id": "KB-1"}),
        Hit("T3", 0.5, {"kb_article_id": "KB-2"}),
        Hit("T4", 0.4, {}),
    ]
    votes = article_votes(hits, k=4)
    assert votes == pytest.approx({"KB-1": 0.35, "KB-2": 0.125})
    ranked = with_votes([("KB-3", 0.5), ("KB-2", 0.45), ("KB-1", 0.3)], votes)
    assert [a for a, _ in ranked] == ["KB-1", "KB-2", "KB-3"]
    assert ranked[0][1] == pytest.approx(1 - 0.7 * 0.65)
    assert with_votes([("KB-3", 0.5)], {}) == [("KB-3", 0.5)]


def test_calibrate_probe_finds_the_match_and_the_best_other_result() -> None:
    def ranker(text, vector, exclude, stand_in):  # type: ignore[no-untyped-def]
        return [(c, s) for c, s in [("a", 0.9), ("b", 0.7), ("c", 0.2)] if c not in exclude]

    found = pairs.KnownPairs(
        "t",
        ["q1", "q2"],
        np.zeros((2, 4), dtype=np.float32),
        [frozenset({"b"}), frozenset({"a"})],
        [None, "a"],
        [None, None],
    )
    first, second = calibrate.probe(ranker, found)
    assert (first.match_rank, first.match_score, first.top_correct, first.other_score) == (
        2,
        0.7,
        False,
        0.9,
    )
    assert second.match_rank is None and second.top_score == 0.7  # its own id is left out
