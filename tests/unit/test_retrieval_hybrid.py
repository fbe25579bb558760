"""Tokenizer, BM25 index, fusion and the threshold calibration."""

from __future__ import annotations

import numpy as np
import pytest

from triage.errors import ConfigError
from triage.retrieval.hybrid import rank, reciprocal_rank_fusion, relevance
from triage.retrieval.lexical import BM25Index, tokenize
from triage.retrieval.relevance import calibrate_threshold


def test_retrieval_tokenizer_keeps_codes_and_hosts_whole_and_split() -> None:
    tokens = tokenize("Error 0x80070005 on SRV-FIN-07 in FSDownload.java, the disk")
    for wanted in (
        "0x80070005",
        "srv-fin-07",
        "srv",
        "fin",
        "07",
        "fsdownload.java",
        "download",
        "disk",
    ):
        assert wanted in tokens
    assert "the" not in tokens and "in" not in tokens


def test_retrieval_bm25_prefers_rare_exact_code_and_forgets_removed() -> None:
    index = BM25Index()
    index.add(
        ["a", "b", "c"], ["mail sync error on laptop", "install fails 0x80070005", "mail sync slow"]
    )
    assert index.search("mail error 0x80070005", 1)[0][0] == "b"
    assert index.remove(["b"]) == 1
    assert [i for i, _ in index.search("0x80070005", 5)] == []
    ids, scores = index.scores("mail")
    assert ids == ["a", "c"] and scores.shape == (2,)
    restored = BM25Index.from_json(index.to_json())
    assert restored.search("mail sync", 2) == index.search("mail sync", 2)


def test_retrieval_tfidf_signal_never_builds_bm25_and_follows_changes() -> None:
    index = BM25Index()
    index.add(["a", "b"], ["vpn drops on wifi", "printer jam on floor 2"])
    ids, scores = index.cosine_scores("printer jam")
    assert ids == ["a", "b"] and scores[1] > 0.5 > scores[0]
    index.add(["c"], ["printer offline, jam cleared"])  # online add: next query sees it
    ids, scores = index.cosine_scores("printer jam")
    assert ids == ["a", "b", "c"] and scores[2] > 0 and index.row_of("c") == 2
    assert index._model is None  # the unused bm25s index was never built (nor rebuilt)


def test_retrieval_tokens_are_shared_between_documents() -> None:
    index = BM25Index.from_json(
        {"k1": 1.2, "b": 0.75, "docs": {"a": ["printer", "jam"], "b": ["printer", "offline"]}}
    )
    index.add(["c"], ["Printer toner"])
    docs = index._docs
    assert docs["a"][0] is docs["b"][0] is docs["c"][0]  # one string object per distinct token


def test_retrieval_bm25_empty_index_and_unknown_words() -> None:
    index = BM25Index()
    assert index.search("anything", 3) == []
    index.add(["a"], ["printer jam"])
    assert index.search("zzz qqq", 3) == []


def test_retrieval_rrf_sums_weighted_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "c"]], [1.0, 2.0], k=10)
    assert fused["b"] == pytest.approx(1 / 12 + 2 / 11)
    assert fused["a"] == pytest.approx(1 / 11) and fused["c"] == pytest.approx(2 / 12)


def test_retrieval_relevance_mixes_cosine_and_relative_bm25() -> None:
    assert relevance(0.5, 0.0, 0.3) == pytest.approx(0.35)
    assert relevance(0.5, 1.0, 0.3) == pytest.approx(0.65)


def test_retrieval_relative_bm25_is_a_fraction_of_the_query_bound() -> None:
    index = BM25Index()
    index.add(["a", "b", "c"], ["disk full on share", "printer jam", "disk quota"])
    ids, rel = index.relative_scores("disk full")
    _, raw = index.scores("disk full")
    assert ids == ["a", "b", "c"]
    assert np.all((rel >= 0) & (rel < 1)) and rel[0] > rel[2] > rel[1] == 0
    np.testing.assert_allclose(rel / rel[0], raw / raw[0], rtol=1e-6)


@pytest.mark.parametrize("fusion", ["rrf", "score", "dense", "lexical"])
def test_retrieval_rank_orders_all_candidates(fusion: str) -> None:
    dense = {"a": 0.9, "b": 0.5, "c": 0.1}
    lexical = {"b": 0.9, "c": 0.2}
    ranked = rank(["a", "b", "c"], dense, lexical, fusion=fusion, alpha=0.3)
    assert sorted(c for c, _ in ranked) == ["a", "b", "c"]
    first = {"rrf": "b", "score": "a", "dense": "a", "lexical": "b"}[fusion]
    assert ranked[0][0] == first


def test_retrieval_calibration_separates_matches_from_non_matches() -> None:
    rng = np.random.default_rng(0)
    good = rng.uniform(0.6, 0.9, 40)
    bad = rng.uniform(0.1, 0.4, 40)
    fit = calibrate_threshold(np.r_[good, bad], [True] * 40 + [False] * 40, max_hit_rate=0.1)
    assert 0.4 <= fit.threshold <= 0.6
    assert fit.rejected == 40 and fit.correct_rejected == 0


def test_retrieval_calibration_keeps_everything_when_all_top_hits_are_right() -> None:
    fit = calibrate_threshold(np.linspace(0.1, 0.9, 20), [True] * 20)
    assert fit.threshold == pytest.approx(0.1) and fit.rejected == 0


def test_retrieval_calibration_needs_enough_queries() -> None:
    with pytest.raises(ConfigError, match="at least 10 queries"):
        calibrate_threshold([0.5, 0.6], [True, False])


def test_retrieval_tfidf_cosine_equals_sklearn_on_triage_tokens() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [
        "disk full on share FS-01, disk quota",
        "printer jam on floor 2",
        "vpn drops; error 0x80070005",
        "",
        "disk disk disk slow",
    ]
    index = BM25Index()
    index.add([f"d{i}" for i in range(len(docs))], docs)
    query = "disk full 0x80070005 on FS-01"
    ids, scores = index.cosine_scores(query)
    oracle = TfidfVectorizer(analyzer=tokenize, sublinear_tf=True).fit(docs)
    expected = (oracle.transform(docs) @ oracle.transform([query]).T).toarray().ravel()
    assert ids == [f"d{i}" for i in range(len(docs))]
    np.testing.assert_allclose(scores, expected, atol=1e-6)
    assert np.all((scores >= 0) & (scores <= 1 + 1e-6))


def test_retrieval_tfidf_cosine_follows_add_and_remove() -> None:
    index = BM25Index()
    index.add(["a", "b"], ["mail sync error", "printer jam"])
    assert index.cosine_scores("0x80070005")[1].max() == 0
    index.add(["c"], ["install fails 0x80070005"])
    ids, scores = index.cosine_scores("0x80070005")
    assert ids[int(np.argmax(scores))] == "c"
    index.remove(["c"])
    ids, scores = index.cosine_scores("0x80070005")
    assert scores.max() == 0 and index.row_of("c", "tfidf") is None  # its row is a tombstone
    assert BM25Index().cosine_scores("anything")[0] == []


def _fresh_scores(docs: dict[str, str], query: str) -> dict[str, float]:
    fresh = BM25Index()
    fresh.add(list(docs), list(docs.values()))
    ids, scores = fresh.cosine_scores(query)
    return dict(zip(ids, scores.tolist(), strict=True))


def _live_scores(index: BM25Index, query: str) -> dict[str, float]:
    ids, scores = index.cosine_scores(query)
    return {
        i: float(scores[index.row_of(i, "tfidf")])
        for i in set(ids)
        if index.row_of(i, "tfidf") is not None
    }


def test_retrieval_tfidf_online_changes_need_no_rebuild_and_stay_close_to_one() -> None:
    docs = {
        f"d{i}": f"printer jam floor {i} toner" if i % 2 else f"vpn drops wifi {i}"
        for i in range(40)
    }
    index = BM25Index()
    index.add(list(docs), list(docs.values()))
    index.cosine_scores("warm up")
    built = index._cosine
    index.add(["new"], ["printer jam again 0x80070005"])  # one known-term doc, one new term
    index.add(["d3"], ["vpn gateway replaced"])  # a replacement
    index.remove(["d4"])
    docs |= {"new": "printer jam again 0x80070005", "d3": "vpn gateway replaced"}
    del docs["d4"]
    live = _live_scores(index, "printer jam 0x80070005")
    assert index._cosine is built  # followed row by row, not rebuilt
    fresh = _fresh_scores(docs, "printer jam 0x80070005")
    assert set(live) == set(fresh)
    assert max(live, key=live.get) == max(fresh, key=fresh.get) == "new"  # type: ignore[arg-type]
    assert max(abs(live[i] - fresh[i]) for i in fresh) < 0.05  # idf drift only
    assert _live_scores(index, "0x80070005")["new"] > 0  # the new term is searchable at once


def test_retrieval_tfidf_rebuilds_after_many_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    from triage.retrieval import tfidf

    monkeypatch.setattr(tfidf, "REBUILD_MIN_CHANGES", 3)
    index = BM25Index()
    index.add(["a", "b"], ["mail sync error", "printer jam"])
    index.cosine_scores("mail")
    for i in range(4):
        index.add([f"n{i}"], [f"printer jam {i}"])
    ids, scores = index.cosine_scores("printer jam")  # stale: a fresh build, exact again
    assert ids == ["a", "b", "n0", "n1", "n2", "n3"]
    fresh = _fresh_scores(
        {"a": "mail sync error", "b": "printer jam"}
        | {f"n{i}": f"printer jam {i}" for i in range(4)},
        "printer jam",
    )
    assert dict(zip(ids, scores.tolist(), strict=True)) == fresh


def test_retrieval_config_rejects_unknown_lexical_signal() -> None:
    from triage.retrieval import RetrievalConfig

    assert RetrievalConfig().lexical == "tfidf"
    with pytest.raises(ConfigError, match="use one of tfidf, bm25"):
        RetrievalConfig(lexical="splade")


def test_retrieval_dense_only_candidate_gets_its_real_lexical_score() -> None:
    from triage.retrieval import Collection, RetrievalConfig

    config = RetrievalConfig(candidates=1, alpha=0.5)
    coll = Collection.empty(2, config)
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    coll.add(["a", "b"], ["vpn slow today", "vpn drops vpn gateway vpn"], vectors, [{}, {}])
    # A pool of one: "a" is only the dense candidate, "b" only the lexical one.
    hits = coll.search("vpn gateway", np.array([1.0, 0.0], dtype=np.float32), 1, config, gate=False)
    _, lexical = coll.lexical.cosine_scores("vpn gateway")
    assert lexical[1] > lexical[0] > 0
    assert hits[0].id == "a"
    assert hits[0].score == pytest.approx(0.5 * 1.0 + 0.5 * float(lexical[0]), abs=1e-6)
