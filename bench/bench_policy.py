"""Benchmark: what each rule of the action policy costs in coverage and buys in auto precision.

Trains once (the default config unless --config), then re-chooses the policy on the same
held-out (validation) probabilities with each variant below and evaluates every variant as
served (thresholds, margin, familiarity guard) on the run's test split and, with --test, on an
external labelled file. Nothing is chosen on the test data: the variants are fixed here.

    .venv/bin/triage data generate --tickets 20000 --seed 42 --out /tmp/sample20k
    .venv/bin/python bench/bench_policy.py --data /tmp/sample20k/tickets.parquet
    .venv/bin/python bench/bench_policy.py --data train.csv --mapping it_service_tickets_48k \
        --test test.csv
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

VARIANTS: dict[str, dict[str, Any]] = {
    "point": {
        "confidence_level": None,
        "min_confidence": 0.0,
        "min_margin": 0.0,
        "familiarity_quantile": None,
    },
    "wilson95": {"min_confidence": 0.0, "min_margin": 0.0, "familiarity_quantile": None},
    "wilson95+floor": {"min_margin": 0.0, "familiarity_quantile": None},
    "wilson95+floor+margin": {"familiarity_quantile": None},
    "default": {},
    "point+guards": {"confidence_level": None},
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--mapping", default=None)
    parser.add_argument("--test", type=Path, default=None, help="external labelled test file")
    parser.add_argument("--config", type=Path, default=Path("training/configs/default.yaml"))
    parser.add_argument("--out", type=Path, default=None, help="append JSON lines here")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skip: {args.data} not found", file=sys.stderr)
        return 0
    captured, result = _train(args)
    tests = {"test_split": (result.test_tickets, None)}
    if args.test is not None:
        tests["external"] = (_load(args.test, args.mapping), None)
    for name, overrides in VARIANTS.items():
        for part, (tickets, _) in tests.items():
            line = _evaluate_variant(result, captured, overrides, tickets)
            line.update({"variant": name, "part": part, "data": str(args.data)})
            _emit(line, args.out)
    for part, (tickets, _) in tests.items():  # the default policy on the model that chose it
        line = _evaluate_variant(result, captured, {}, tickets, train_only=True)
        line.update({"variant": "default, train-only model", "part": part, "data": str(args.data)})
        _emit(line, args.out)
    return 0


def _load(path: Path, mapping: str | None) -> list[Any]:
    from training.cli.common import load_tickets

    return load_tickets(path, mapping)


def _train(args: argparse.Namespace) -> tuple[dict[str, Any], Any]:
    """Train once; keep the model that chose the policy and its held-out probabilities."""
    import training.train as train_module
    from training.config import load_config

    captured: dict[str, Any] = {}
    original = train_module.fit_policies

    def spy(policy: Any, chooser: Any, held: Any) -> Any:
        captured.update(chooser=chooser, held=held)
        return original(policy, chooser, held)

    train_module.fit_policies = spy  # type: ignore[assignment]
    start = time.perf_counter()
    result = train_module.train(load_config(args.config), _load(args.data, args.mapping))
    print(f"trained in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return captured, result


def _evaluate_variant(
    result: Any,
    captured: dict[str, Any],
    overrides: dict[str, Any],
    tickets: list[Any],
    train_only: bool = False,
) -> dict[str, Any]:
    """One policy variant as served on `tickets`: the final model's (refit) classifiers, links
    and neighbours, or with `train_only` those of the model the policy was chosen on."""
    from training.evaluate import evaluate_probabilities
    from training.policy_fit import fit_policies
    from triage.features import feature_input
    from triage.triager import TriageModel

    policy = result.config.policy.model_copy(update=overrides)
    policies, guard, _ = fit_policies(policy, captured["chooser"], captured["held"])
    final = captured["chooser"] if train_only else result.model
    model = TriageModel(
        final.featurizer, final.classifiers, policies, final.links, final.neighbours, guard
    )
    emb = result.embedder_object
    vectors = emb.encode([t.text for t in tickets], batch_size=64) if emb else None
    data = feature_input(tickets, vectors)
    proba = model.predict_proba(data)
    report = evaluate_probabilities(model, tickets, proba, unfamiliar=model.unfamiliar(data))
    return {
        "policy": policy.model_dump(mode="json"),
        "targets": {
            t: {
                "n": r["n"],
                "accuracy": round(r["accuracy"], 4),
                "coverage": round(r["coverage"], 4),
                "auto_precision": r["auto_precision"] and round(r["auto_precision"], 4),
                "interval": [round(v, 4) for v in r["auto_precision_interval"]],
                "promise": r["promise"],
                "never_auto_classes": sorted(dict(policies[t].never_auto)),
                "margin": round(policies[t].margin, 4),
                "not_auto": r["auto"]["not_auto_reasons"],
            }
            for t, r in report["targets"].items()
        },
        "familiarity": None if guard is None else round(guard.min_similarity, 4),
    }


def _emit(line: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(line)
    print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a") as handle:
            handle.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
