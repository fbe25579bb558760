"""`plan_batches`: how the ONNX embedder groups texts by token count into padded batches."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from triage.onnx_embedder import CALL_OVERHEAD_TOKENS, plan_batches


def _cost(batches: list[np.ndarray], lengths: list[int], overhead: float) -> float:
    return sum(overhead + len(b) * max(lengths[i] for i in b) for b in batches)


def _brute_force(lengths: list[int], max_batch: int, overhead: float) -> float:
    """The cheapest split of the length-sorted texts into consecutive batches, by enumeration."""
    ordered = sorted(lengths)
    best = float("inf")
    for cuts in itertools.product([False, True], repeat=len(ordered) - 1):
        sizes, run = [], 1
        for cut in cuts:
            if cut:
                sizes.append(run)
                run = 0
            run += 1
        sizes.append(run)
        if max(sizes) > max_batch:
            continue
        ends = np.cumsum(sizes)
        cost = sum(overhead + s * ordered[e - 1] for s, e in zip(sizes, ends, strict=True))
        best = min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("max_batch", [1, 3, 8])
def test_plan_batches_is_the_cheapest_split(seed: int, max_batch: int) -> None:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 120, size=int(rng.integers(1, 11))).tolist()
    batches = plan_batches(lengths, max_batch)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))
    assert max(len(b) for b in batches) <= max_batch
    assert _cost(batches, lengths, CALL_OVERHEAD_TOKENS) == pytest.approx(
        _brute_force(lengths, max_batch, CALL_OVERHEAD_TOKENS)
    )


def test_plan_batches_keeps_a_long_text_from_padding_short_ones() -> None:
    lengths = [20, 21, 250, 19, 22, 20, 21, 20]
    batches = plan_batches(lengths, 8)
    assert [2] in [b.tolist() for b in batches]  # the 250-token text runs alone
    assert all(len(b) > 1 for b in batches if 2 not in b)  # the short ones share a call


def test_plan_batches_of_equal_lengths_fill_the_batch_size() -> None:
    assert sorted(len(b) for b in plan_batches([40] * 20, 8)) == [4, 8, 8]
    assert [len(b) for b in plan_batches([40] * 3, 1)] == [1, 1, 1]
    assert plan_batches([], 8) == []
