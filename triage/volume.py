"""Ticket volume today and this week in a time zone: by predicted label and by action."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from triage.schema import TARGETS
from triage.store.records import PredictionLabels

ACTIONS: tuple[str, ...] = ("auto", "suggest", "review")
DAILY_DAYS = 7


def window_start(now: datetime, tz: tzinfo) -> datetime:
    """The earliest instant `volume_report` needs: the start (in `tz`) of this week's Monday or
    of the day six days ago, whichever is earlier."""
    today = now.astimezone(tz).date()
    first = min(today - timedelta(days=today.weekday()), today - timedelta(days=DAILY_DAYS - 1))
    return datetime.combine(first, time.min, tzinfo=tz)


def _summary(records: list[PredictionLabels]) -> dict[str, Any]:
    """Tickets, per target the count of each predicted label, and the count of each action."""
    labels = {
        t: Counter(str(r.labels[t]["label"]) for r in records if t in r.labels) for t in TARGETS
    }
    actions = {
        t: {a: sum(r.labels.get(t, {}).get("action") == a for r in records) for a in ACTIONS}
        for t in TARGETS
    }
    return {
        "tickets": len(records),
        "labels": {t: dict(c.most_common()) for t, c in labels.items()},
        "actions": actions,
    }


def _latest_per_ticket(records: Iterable[PredictionLabels]) -> list[PredictionLabels]:
    # A ticket triaged twice is one ticket: its latest prediction counts (records oldest first).
    latest: dict[str, PredictionLabels] = {}
    for record in records:
        latest.pop(record.ticket_id, None)
        latest[record.ticket_id] = record
    return list(latest.values())


def volume_report(records: Iterable[PredictionLabels], now: datetime, tz: tzinfo) -> dict[str, Any]:
    """Volume of tickets triaged today, this week (since Monday) and per day for the last 7 days,
    all in the time zone `tz`; pass the records made since `window_start(now, tz)`, oldest first.

    Labels are the predicted ones (what the service said, not what agents changed).
    """
    kept = _latest_per_ticket(records)
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    day_of = {r.prediction_id: r.created_at.astimezone(tz).date() for r in kept}
    days = [today - timedelta(days=n) for n in range(DAILY_DAYS - 1, -1, -1)]
    per_day = Counter(day_of.values())
    return {
        "today": {"from": today.isoformat(), **_summary(_on_or_after(kept, day_of, today))},
        "week": {"from": monday.isoformat(), **_summary(_on_or_after(kept, day_of, monday))},
        "daily": [{"date": d.isoformat(), "tickets": per_day.get(d, 0)} for d in days],
    }


def _on_or_after(
    records: list[PredictionLabels], day_of: dict[str, date], first: date
) -> list[PredictionLabels]:
    return [r for r in records if day_of[r.prediction_id] >= first]
