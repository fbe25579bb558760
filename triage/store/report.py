"""Production metrics from the store: precision against the value at close, coverage per action,
feedback outcomes and KB acceptance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from triage.policy import DEFAULT_COST_RATIO, net_worth
from triage.prediction import Action
from triage.schema import TARGETS, Ticket
from triage.store.protocol import FeedbackStore
from triage.store.records import OUTCOMES, PredictionRecord, ResolvedRecord

ACTIONS = tuple(a.value for a in Action)

Judged = list[tuple[dict[str, Any], str]]
"""(stored prediction of a target, final label at close) pairs."""


def _final_labels(ticket: Ticket) -> dict[str, str]:
    """The ticket's labels per target, as strings (the value at close for a resolved ticket)."""
    values = ticket.to_dict()
    return {t: str(values[t]) for t in TARGETS if values.get(t) is not None}


def _join_resolved(
    preds: list[PredictionRecord], resolved: list[ResolvedRecord]
) -> list[tuple[PredictionRecord, dict[str, str]]]:
    """(prediction, final labels) pairs: by prediction_id if given, else the ticket's last one."""
    by_id = {p.prediction_id: p for p in preds}
    by_ticket = {p.ticket.ticket_id: p for p in preds}
    pairs = []
    for r in resolved:
        pred = by_id.get(r.prediction_id or "") or by_ticket.get(r.ticket.ticket_id)
        if pred is not None:
            pairs.append((pred, _final_labels(r.ticket)))
    return pairs


def _share(pairs: Judged) -> float | None:
    if not pairs:
        return None
    return sum(str(lab["label"]) == fin for lab, fin in pairs) / len(pairs)


def _target_report(
    target: str,
    preds: list[PredictionRecord],
    pairs: list[tuple[PredictionRecord, dict[str, str]]],
    cost_ratio: float,
) -> dict[str, Any]:
    actions = [p.labels[target]["action"] for p in preds if target in p.labels]
    coverage = {a: actions.count(a) / len(actions) for a in ACTIONS} if actions else {}
    judged = [
        (p.labels[target], final[target])
        for p, final in pairs
        if target in p.labels and target in final
    ]
    auto = [(lab, fin) for lab, fin in judged if lab["action"] == "auto"]
    wrong = sum(str(lab["label"]) != fin for lab, fin in auto)
    worth = net_worth(float(len(auto) - wrong), float(wrong), cost_ratio)
    return {
        "coverage": coverage,
        "judged": len(judged),
        "precision": _share(judged),
        "auto_judged": len(auto),
        "auto_precision": _share(auto),
        "auto_wrong": wrong,
        "auto_worth_per_judged": worth / len(judged) if judged else None,
    }


def production_report(
    store: FeedbackStore, since: datetime | None = None, cost_ratio: float = DEFAULT_COST_RATIO
) -> dict[str, Any]:
    """Production metrics: per target coverage by action and precision against the value at close,
    feedback outcomes and KB acceptance (helpful / rated). Ratios in [0, 1], None when undefined.
    Per target also the autos wrong at close and what the autos were worth per judged ticket:
    right ones minus `cost_ratio` times wrong ones (0: nothing auto-applied; negative: the autos
    cost more than they saved), the figure the thresholds were chosen to maximise.

    With `since`, only predictions, feedback and resolved tickets recorded after it count (a
    ticket resolved in the window whose prediction is older is not joined).
    """
    preds = list(store.iter_predictions(since))
    resolved = list(store.iter_resolved(since))
    fb = list(store.iter_feedback(since))
    pairs = _join_resolved(preds, resolved)
    rated = [f.kb_helpful for f in fb if f.kb_helpful is not None]
    return {
        "since": since.isoformat() if since else None,
        "predictions": len(preds),
        "feedback": len(fb),
        "resolved": len(resolved),
        "resolved_with_prediction": len(pairs),
        "feedback_outcomes": {o: sum(f.outcome == o for f in fb) for o in OUTCOMES},
        "kb_rated": len(rated),
        "kb_acceptance": sum(rated) / len(rated) if rated else None,
        "cost_ratio": cost_ratio,
        "targets": {t: _target_report(t, preds, pairs, cost_ratio) for t in TARGETS},
    }
