"""Benchmark: a bundle on hand-written tickets, triaged exactly as the service triages them.

Each JSON line is sent through the API's own wire model (`api.schemas.TicketIn`: subject and
body; language and channel only with --send-fields) and the loaded bundle's `Triager` with its
default settings. Reported per target, overall, per language and per `kind`: accuracy, auto
coverage, auto precision with its Wilson 95% interval; and the share of `auto` among the
tickets of kind `vague` (which name no problem: every `auto` there is a guess).

    .venv/bin/python bench/bench_handwritten.py --bundle models/default
    .venv/bin/python bench/bench_handwritten.py --bundle models/default \
        --tickets tests/data/dev_tickets.jsonl --json /tmp/dev.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

TARGETS = ("category", "priority", "support_line")
DEFAULT_SET = Path("tests/data/handwritten_tickets.jsonl")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", type=Path, default=Path("models/default"))
    parser.add_argument("--tickets", type=Path, default=DEFAULT_SET)
    parser.add_argument(
        "--send-fields",
        action="store_true",
        help="also send each line's language and channel (default: subject and body only)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the full report here")
    args = parser.parse_args()
    for path in (args.tickets, args.bundle / "manifest.json"):
        if not path.is_file():
            print(f"skip: {path} not found", file=sys.stderr)
            return 0
    rows = [json.loads(line) for line in args.tickets.read_text().splitlines() if line.strip()]
    report = run(args.bundle, rows, args.send_fields)
    print(markdown(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def run(bundle: Path, rows: list[dict[str, Any]], send_fields: bool) -> dict[str, Any]:
    """Triage `rows` with the bundle; the report per target, language and kind."""
    from triage.triager import Triager

    triager = Triager.load(bundle)
    tickets = [_ticket(row, i, send_fields) for i, row in enumerate(rows)]
    start = time.perf_counter()
    results = triager.predict_many(tickets)
    seconds = time.perf_counter() - start
    report: dict[str, Any] = {
        "bundle": str(bundle),
        "model_version": triager.version,
        "tickets": len(rows),
        "seconds": round(seconds, 2),
        "targets": {},
    }
    for target in TARGETS:
        if target not in triager.targets:
            continue
        pairs = [(row, r.predictions[target]) for row, r in zip(rows, results, strict=True)]
        report["targets"][target] = _target_report(target, pairs)
    return report


def _ticket(row: dict[str, Any], index: int, send_fields: bool) -> Any:
    """The ticket as the service builds it from a request body."""
    from api.schemas import TicketIn

    text = {"subject": row.get("subject") or "", "body": row.get("body") or row.get("text") or ""}
    if send_fields:
        text.update({k: row[k] for k in ("language", "channel") if row.get(k)})
    return TicketIn(**text).to_ticket(f"hand-{index}")


def _target_report(target: str, pairs: list[tuple[dict[str, Any], Any]]) -> dict[str, Any]:
    labelled = [(row, p) for row, p in pairs if row.get(target) is not None]
    groups: dict[str, list[tuple[dict[str, Any], Any]]] = defaultdict(list)
    for row, p in labelled:
        groups["all"].append((row, p))
        groups[f"language={row.get('language', 'unknown')}"].append((row, p))
        groups[f"kind={row.get('kind', 'unknown')}"].append((row, p))
    out = {name: _counts(target, group) for name, group in sorted(groups.items())}
    vague = groups.get("kind=vague", [])
    out["vague_auto_share"] = (
        sum(p.action.value == "auto" for _, p in vague) / len(vague) if vague else None
    )
    out["reasons"] = _reasons(labelled)
    return out


def _counts(target: str, group: list[tuple[dict[str, Any], Any]]) -> dict[str, Any]:
    correct = [str(row[target]) == p.label for row, p in group]
    auto = [ok for ok, (_, p) in zip(correct, group, strict=True) if p.action.value == "auto"]
    return {
        "n": len(group),
        "accuracy": round(sum(correct) / len(group), 4),
        "auto": len(auto),
        "coverage": round(len(auto) / len(group), 4),
        "auto_precision": round(sum(auto) / len(auto), 4) if auto else None,
        "interval": [round(v, 4) for v in wilson_interval(sum(auto), len(auto))],
    }


def wilson_interval(hits: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson 95% interval, here rather than from `triage.stats` so that the script can judge
    bundles of versions without it (run it with that version's interpreter)."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _reasons(labelled: list[tuple[dict[str, Any], Any]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for _, p in labelled:
        code = getattr(p, "reason_code", None)  # versions before the reasons have none
        key = "auto" if p.action.value == "auto" else (code.value if code else "not auto")
        counts[key] += 1
    return dict(sorted(counts.items()))


def markdown(report: dict[str, Any]) -> str:
    """One table row per target and group."""
    lines = [
        f"{report['tickets']} tickets, bundle {report['bundle']} ({report['model_version']}), "
        f"{report['seconds']} s",
        "",
        "| target | group | n | accuracy | auto | coverage | auto precision (Wilson 95%) |",
        "|---|---|---|---|---|---|---|",
    ]
    for target, groups in report["targets"].items():
        for name, c in groups.items():
            if not isinstance(c, dict) or "n" not in c:
                continue
            precision = "-" if c["auto_precision"] is None else f"{c['auto_precision']:.3f}"
            low, high = c["interval"]
            lines.append(
                f"| {target} | {name} | {c['n']} | {c['accuracy']:.3f} | {c['auto']} | "
                f"{c['coverage']:.3f} | {precision} ({low:.2f}-{high:.2f}) |"
            )
        lines.append(
            f"| {target} | auto share among vague | | | | {groups['vague_auto_share']} | |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
