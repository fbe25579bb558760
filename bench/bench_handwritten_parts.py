"""Which part of the blend is right on hand-written tickets: the linear scores, the neighbours'
votes, the plain text model, and what is served, per target (accuracy; for the support line also
how many predictions are one or more lines too high or too low).

Tickets are built as `bench_handwritten.py` builds them (subject and body only, unless
`--send-fields`), so the parts see what the service sees.

    .venv/bin/python bench/bench_handwritten_parts.py --bundle models/default \\
        --tickets tests/data/dev_tickets.jsonl tests/data/dev_tickets_2.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from bench_handwritten import _ticket


def parts(bundle: Path, rows: list[dict[str, Any]], send_fields: bool) -> dict[str, Any]:
    """Per target and part: accuracy, and for ordered labels (1 < 2 < 3) too high / too low."""
    from triage.features import feature_input
    from triage.triager import Triager

    triager = Triager.load(bundle)
    model = triager.model
    tickets = [_ticket(row, i, send_fields) for i, row in enumerate(rows)]
    data = feature_input(tickets, triager.embed([t.text for t in tickets]))
    X = model.featurizer.transform(data)
    votes = model.votes(data)
    wanted = {t: c.classes_.tolist() for t, c in model.classifiers.items()}
    text = model.text_model.log_proba(data.texts, wanted) if model.text_model is not None else {}
    served = model.predict_proba(data)
    report: dict[str, Any] = {}
    for target, clf in model.classifiers.items():
        classes = clf.classes_.tolist()
        gold = [str(row[target]) for row in rows]
        found = {
            "scores": clf.decision_function(X),
            "votes": votes.get(target),
            "text": text.get(target),
            "served": served[target],
        }
        report[target] = {
            name: _scored([classes[i] for i in matrix.argmax(axis=1)], gold)
            for name, matrix in found.items()
            if matrix is not None
        }
    return report


def _scored(predicted: list[str], gold: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "accuracy": round(float(np.mean([p == g for p, g in zip(predicted, gold, strict=True)])), 3)
    }
    if all(v.isdigit() for v in predicted + gold):
        out["too_high"] = sum(int(p) > int(g) for p, g in zip(predicted, gold, strict=True))
        out["too_low"] = sum(int(p) < int(g) for p, g in zip(predicted, gold, strict=True))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=Path("models/default"))
    parser.add_argument("--tickets", type=Path, nargs="+", required=True)
    parser.add_argument("--send-fields", action="store_true", help="also send language, channel")
    args = parser.parse_args()
    for path in [*args.tickets, args.bundle / "manifest.json"]:
        if not path.is_file():
            print(f"skip: {path} not found", file=sys.stderr)
            return 0
    rows = [
        json.loads(line)
        for path in args.tickets
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    report = parts(args.bundle, rows, args.send_fields)
    print(json.dumps({"tickets": len(rows), "send_fields": args.send_fields, **report}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
