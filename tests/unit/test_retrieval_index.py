"""VectorIndex against NumPy brute force, removal, persistence, tampering and filters."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from triage.errors import VectorIndexError
from triage.retrieval.index import VectorIndex


def _unit(rng: np.random.Generator, n: int, dim: int = 16) -> np.ndarray:
    x = rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _filled(n: int, seed: int = 0, **kwargs: object) -> tuple[VectorIndex, np.ndarray]:
    vectors = _unit(np.random.default_rng(seed), n)
    index = VectorIndex(16, **kwargs)  # type: ignore[arg-type]
    index.add(
        [f"t{i}" for i in range(n)],
        vectors,
        [{"n": i, "lang": "de" if i % 3 else "en"} for i in range(n)],
    )
    return index, vectors


@pytest.mark.parametrize(("n", "k"), [(0, 5), (1, 5), (7, 10), (50, 5), (200, 1)])
def test_index_search_equals_numpy_brute_force(n: int, k: int) -> None:
    index, vectors = _filled(n)
    queries = _unit(np.random.default_rng(1), 4)
    results = index.search(queries, k)
    assert len(results) == 4
    for q, hits in zip(queries, results, strict=True):
        expected = np.argsort(-(vectors @ q), kind="stable")[: min(k, n)]
        assert [h.id for h in hits] == [f"t{i}" for i in expected]
        np.testing.assert_allclose(
            [h.score for h in hits], (vectors @ q)[expected], rtol=1e-5, atol=1e-6
        )


def test_index_add_then_remove_leaves_no_trace() -> None:
    index, vectors = _filled(30)
    assert index.remove(["t3", "t7", "missing"]) == 2
    assert len(index) == 28 and "t3" not in index
    hits = index.search(vectors[3], 30)[0]
    assert "t3" not in {h.id for h in hits} and len(hits) == 28
    with pytest.raises(VectorIndexError):
        index.metadata("t3")


def test_index_hnsw_remove_rebuilds_without_the_vector(tmp_path: Path) -> None:
    index, vectors = _filled(60, kind="hnsw")
    assert index.remove("t5") == 1
    assert "t5" not in {h.id for h in index.search(vectors[5], 60)[0]}
    index.save(tmp_path / "ix")
    assert '"t5"' not in (tmp_path / "ix" / "records.json").read_text()


def test_index_readding_an_id_replaces_it() -> None:
    index, vectors = _filled(5)
    index.add(["t0"], vectors[1:2], [{"n": 99}])
    assert len(index) == 5
    assert index.metadata("t0") == {"n": 99}


def test_index_switches_to_hnsw_above_threshold_and_keeps_recall() -> None:
    index, vectors = _filled(300, approx_threshold=100)
    assert index.kind_ == "hnsw"
    hits = index.search(vectors[:20], 1)
    assert sum(h[0].id == f"t{i}" for i, h in enumerate(hits)) >= 19


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_index_save_load_round_trip(tmp_path: Path, kind: str) -> None:
    index, vectors = _filled(40, kind=kind)
    index.save(tmp_path / "ix")
    loaded = VectorIndex.load(tmp_path / "ix")
    assert loaded.kind_ == kind and len(loaded) == 40
    assert loaded.search(vectors[:3], 5) == index.search(vectors[:3], 5)
    loaded.add(["new"], vectors[:1])  # labels keep counting after a load
    assert len(loaded) == 41


def test_index_truncated_file_is_refused(tmp_path: Path) -> None:
    index, _ = _filled(20)
    index.save(tmp_path / "ix")
    blob = (tmp_path / "ix" / "index.faiss").read_bytes()
    (tmp_path / "ix" / "index.faiss").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(VectorIndexError, match=r"index.faiss: SHA-256 .* truncated or altered"):
        VectorIndex.load(tmp_path / "ix")


def test_index_tampered_metadata_is_refused(tmp_path: Path) -> None:
    index, _ = _filled(20)
    index.save(tmp_path / "ix")
    records = tmp_path / "ix" / "records.json"
    records.write_text(records.read_text().replace('"t1"', '"evil"'))
    with pytest.raises(VectorIndexError, match=r"records\.json"):
        VectorIndex.load(tmp_path / "ix")


def test_index_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(VectorIndexError, match="not a saved index"):
        VectorIndex.load(tmp_path / "nothing")


def test_index_filter_is_respected_and_fills_k() -> None:
    index, vectors = _filled(100)
    hits = index.search(vectors[0], 10, filter=lambda m: m["lang"] == "en")[0]
    assert len(hits) == 10 and all(h.metadata["lang"] == "en" for h in hits)
    scores = vectors[[h.metadata["n"] for h in hits]] @ vectors[0]
    en = [i for i in range(100) if i % 3 == 0]
    assert set(h.metadata["n"] for h in hits) == set(
        np.array(en)[np.argsort(-(vectors[en] @ vectors[0]))[:10]]
    )
    assert list(scores) == sorted(scores, reverse=True)


def test_index_rejects_wrong_dimension_and_duplicates() -> None:
    index = VectorIndex(16)
    with pytest.raises(VectorIndexError, match=r"expects \(n, 16\)"):
        index.add(["a"], np.ones((1, 8), dtype=np.float32))
    with pytest.raises(VectorIndexError, match="duplicate"):
        index.add(["a", "a"], np.ones((2, 16), dtype=np.float32))


def test_set_search_threads_caps_faiss_openmp() -> None:
    import faiss

    from triage.retrieval.index import set_search_threads

    before = faiss.omp_get_max_threads()
    try:
        set_search_threads(1)
        assert faiss.omp_get_max_threads() == 1
    finally:
        faiss.omp_set_num_threads(before)


@pytest.mark.parametrize("queries", [1, 2, 40, 300])
def test_index_exact_search_equals_brute_force_ties_in_insertion_order(queries: int) -> None:
    rng = np.random.default_rng(queries)
    vectors = _unit(rng, 120)
    vectors[60:70] = vectors[5]  # duplicates: equal scores, ranked by insertion order
    index = VectorIndex(16, kind="flat")
    index.add([f"t{i}" for i in range(120)], vectors)
    index.remove(["t7", "t61"])
    stored = np.delete(vectors, [7, 61], axis=0)
    ids = [f"t{i}" for i in range(120) if i not in (7, 61)]
    probes = np.vstack([vectors[5], _unit(rng, queries - 1)])[:queries]
    position = {item: row for row, item in enumerate(ids)}
    for probe, hits in zip(probes, index.search(probes, 15), strict=True):
        scores = stored @ probe  # float rounding differs between kernels: compare to 1e-6
        got = np.array([h.score for h in hits])
        np.testing.assert_allclose(got, np.sort(scores)[::-1][:15], atol=1e-6)
        np.testing.assert_allclose(got, [scores[position[h.id]] for h in hits], atol=1e-6)
        for a, b in itertools.pairwise(hits):
            assert a.score > b.score or position[a.id] < position[b.id]


def test_index_exact_search_follows_adds_and_removes() -> None:
    rng = np.random.default_rng(9)
    index = VectorIndex(16, kind="flat")
    vectors = _unit(rng, 40)
    index.add([f"a{i}" for i in range(20)], vectors[:20])
    assert index.search(vectors[25:27], 1)[0][0].id != "b25"
    index.add([f"b{i}" for i in range(20, 40)], vectors[20:])  # the cached view is renewed
    assert [h[0].id for h in index.search(vectors[25:27], 1)] == ["b25", "b26"]
    index.remove(["b25"])
    assert index.search(vectors[25:27], 1)[0][0].id != "b25"
