"""Compare rules for choosing the served blend, on held-out rows they did not choose on.

    .venv/bin/python bench/exp_choice_rule.py /tmp/held/*.npz [--repeats 20]

Reads the held-out blend inputs `bench/exp_dump_held.py` dumps (a training run on each dataset's
training part only: its validation rows' linear scores, neighbour votes and the train-only
baseline's log-probabilities). Per repeat the rows are split in two halves (stratified); every
rule chooses on one half exactly as `training.candidates.choose_served` does (cross-fitted blend
logits, prior shift, must beat the baseline on both measures), the chosen blend fitted on that
half scores the other half, and its accuracy and macro-F1 are compared with the baseline's on
the same rows. Both halves take a turn. Reported per file and rule: the mean difference to the
baseline (points) and how often the chosen model fell below the baseline on either measure.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from training.candidates import (
    BASELINE,
    BLENDS,
    HeldInputs,
    _available,
    _blend_candidate,
    edge_over,
)
from triage.blend import PRIOR_SHIFTS
from triage.class_bias import accuracy_and_macro_f1

Rule = Callable[[dict[str, NDArray[np.float64]], NDArray[np.float64], NDArray[np.int64]], str]


def _mean(logits: NDArray[np.float64], y: NDArray[np.int64]) -> float:
    return sum(accuracy_and_macro_f1(logits, y)) / 2


def _beating(
    cands: dict[str, NDArray[np.float64]], text: NDArray[np.float64], y: NDArray[np.int64]
) -> list[str]:
    base = accuracy_and_macro_f1(text, y)
    return [
        n
        for n, z in cands.items()
        if all(a > b for a, b in zip(accuracy_and_macro_f1(z, y), base, strict=True))
    ]


def _paired_se(a: NDArray[np.float64], b: NDArray[np.float64], y: NDArray[np.int64]) -> float:
    """Bootstrap standard error of mean(acc, macro-F1)(a) - the same of b, as served."""
    return edge_over(a, b, y, seed=0)[1]


def _best(cands: dict[str, NDArray[np.float64]], names: list[str], y: NDArray[np.int64]) -> str:
    return max(sorted(names), key=lambda n: _mean(cands[n], y))


Among = Callable[[dict[str, NDArray[np.float64]], list[str], str, NDArray[np.int64]], str]


def _among_beating(pick: Among) -> Rule:
    """A rule that serves the baseline unless some blend beats it on both measures; then `pick`
    chooses given those blends and the best of them by their mean."""

    def rule(
        cands: dict[str, NDArray[np.float64]], text: NDArray[np.float64], y: NDArray[np.int64]
    ) -> str:
        beating = _beating(cands, text, y)
        return pick(cands, beating, _best(cands, beating, y), y) if beating else BASELINE

    return rule


@_among_beating
def rule_best(
    cands: dict[str, NDArray[np.float64]], beating: list[str], best: str, y: NDArray[np.int64]
) -> str:
    """Today's rule: the best mean among blends beating the baseline on both."""
    return best


@_among_beating
def rule_text_within_se(
    cands: dict[str, NDArray[np.float64]], beating: list[str], best: str, y: NDArray[np.int64]
) -> str:
    """The best, unless a blend holding the baseline's part is within one standard error of it."""
    safe = [n for n in beating if "text" in n.split("+")]
    if "text" in best.split("+") or not safe:
        return best
    alt = _best(cands, safe, y)
    gap = _mean(cands[best], y) - _mean(cands[alt], y)
    return alt if gap <= _paired_se(cands[best], cands[alt], y) else best


@_among_beating
def rule_most_parts_within_se(
    cands: dict[str, NDArray[np.float64]], beating: list[str], best: str, y: NDArray[np.int64]
) -> str:
    """Among beating blends within one standard error of the best, the one with most parts."""
    close = [
        n
        for n in beating
        if _mean(cands[best], y) - _mean(cands[n], y) <= _paired_se(cands[best], cands[n], y)
    ]
    return max(sorted(close), key=lambda n: (len(n.split("+")), _mean(cands[n], y)))


@_among_beating
def rule_always_all(
    cands: dict[str, NDArray[np.float64]], beating: list[str], best: str, y: NDArray[np.int64]
) -> str:
    """`scores+votes+text` whenever it beats the baseline (else today's rule)."""
    return "scores+votes+text" if "scores+votes+text" in beating else best


def _clear_of_baseline(z: float, prefer_all: bool = False) -> Rule:
    """Today's rule among blends whose mean beats the baseline's by more than z standard errors
    (with `prefer_all`: `scores+votes+text` whenever it is one of them)."""

    def rule(
        cands: dict[str, NDArray[np.float64]], text: NDArray[np.float64], y: NDArray[np.int64]
    ) -> str:
        clear = [
            n
            for n in _beating(cands, text, y)
            if _mean(cands[n], y) - _mean(text, y) > z * _paired_se(cands[n], text, y)
        ]
        if prefer_all and "scores+votes+text" in clear:
            return "scores+votes+text"
        return _best(cands, clear, y) if clear else BASELINE

    return rule


RULES: dict[str, Rule] = {
    "clear of baseline by 1 SE": _clear_of_baseline(1),
    "clear of baseline by 1.645 SE": _clear_of_baseline(1.645),
    "clear of baseline by 2 SE": _clear_of_baseline(2),
    "all parts, clear by 1 SE": _clear_of_baseline(1, prefer_all=True),
    "best (today)": rule_best,
    "text within 1 SE": rule_text_within_se,
    "most parts within 1 SE": rule_most_parts_within_se,
    "all parts if beating": rule_always_all,
}


def _halves(y: NDArray[np.int64], rng: np.random.Generator) -> NDArray[np.bool_]:
    first = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == c))
        first[rows[: len(rows) // 2]] = True
    return first


def _sub(held: HeldInputs, rows: NDArray[np.bool_]) -> HeldInputs:
    return HeldInputs(
        scores=held.scores[rows],
        votes=None if held.votes is None else held.votes[rows],
        text=None if held.text is None else held.text[rows],
        y=held.y[rows],
    )


def _cross_fitted_shift(
    logits: NDArray[np.float64], y: NDArray[np.int64], seed: int
) -> NDArray[np.float64]:
    """`logits` with each half's rows shifted by the prior shift chosen on the other half."""
    from triage.blend import choose_prior_shift

    first = _halves(y, np.random.default_rng(seed + 1000))
    out = logits.copy()
    for chosen_on in (first, ~first):
        _, shift = choose_prior_shift(logits[chosen_on], y[chosen_on], PRIOR_SHIFTS)
        out[~chosen_on] = logits[~chosen_on] + shift
    return out


def run(path: Path, repeats: int, honest_shift: bool = False) -> None:
    """The table for one dumped file; `honest_shift`: each candidate's prior shift chosen on other
    rows of the choosing half than it is scored on (`_cross_fitted_shift`)."""
    data = np.load(path)
    known = data["y"] >= 0
    held = HeldInputs(
        scores=data["scores"][known],
        votes=data["votes"][known] if "votes" in data else None,
        text=data["text"][known] if "text" in data else None,
        y=data["y"][known],
    )
    if held.text is None:
        print(f"{path.name}: no baseline part, skipped")
        return
    results: dict[str, list[tuple[float, float]]] = {r: [] for r in RULES}
    chosen: dict[str, dict[str, int]] = {r: {} for r in RULES}
    rng = np.random.default_rng(0)
    for repeat in range(repeats):
        first = _halves(held.y, rng)
        for fit_rows in (first, ~first):
            fit, other = _sub(held, fit_rows), _sub(held, ~fit_rows)
            cands, blends = {}, {}
            for parts in (p for p in BLENDS if _available(p, fit)):
                name = "+".join(parts)
                logits, blend = _blend_candidate(
                    parts, fit, np.ones(len(fit.y), bool), repeat, PRIOR_SHIFTS
                )
                if honest_shift and blend.prior_shift_ is not None:
                    logits = _cross_fitted_shift(logits - blend.prior_shift_, fit.y, repeat)
                cands[name], blends[name] = logits, blend
            assert fit.text is not None and other.text is not None
            base = accuracy_and_macro_f1(other.text, other.y)
            for rule_name, rule in RULES.items():
                name = rule(cands, fit.text, fit.y)
                chosen[rule_name][name] = chosen[rule_name].get(name, 0) + 1
                if name == BASELINE:
                    z = other.text
                else:
                    votes = other.votes if other.votes is not None else np.zeros_like(other.scores)
                    z = blends[name].logits(other.scores, votes, other.text)
                acc, f1 = accuracy_and_macro_f1(z, other.y)
                results[rule_name].append((acc - base[0], f1 - base[1]))
    print(
        f"\n{path.name}: {len(held.y)} rows, {held.scores.shape[1]} classes, {repeats} x 2 halves"
    )
    print("| rule | accuracy - baseline | macro-F1 - baseline | below on either | chosen |")
    print("|---|---|---|---|---|")
    for rule_name, diffs in results.items():
        d = np.asarray(diffs) * 100
        below = float(np.mean((d < 0).any(axis=1)))
        picks = ", ".join(f"{k} {v}" for k, v in sorted(chosen[rule_name].items()))
        print(
            f"| {rule_name} | {d[:, 0].mean():+.2f} | {d[:, 1].mean():+.2f} | {below:.2f} "
            f"| {picks} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument(
        "--prior-rows", type=float, default=None, help="the blend's pull to its start (rows)"
    )
    parser.add_argument("--honest-shift", action="store_true")
    args = parser.parse_args()
    if args.prior_rows is not None:
        import triage.blend

        triage.blend.VoteBlend.__init__.__defaults__ = (args.prior_rows, ("scores", "votes"))
        print(f"blend prior_rows = {args.prior_rows}")
    for path in args.files:
        run(path, args.repeats, args.honest_shift)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
