"""Ticket volume today and this week in a time zone (`triage.volume`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from triage.store.records import PredictionLabels
from triage.volume import volume_report, window_start

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday, 13:00 in Amsterdam


def _record(
    n: int, when: datetime, category: str, action: str = "auto", ticket: str = ""
) -> PredictionLabels:
    labels = {
        "category": {"label": category, "confidence": 0.9, "action": action},
        "support_line": {"label": "2", "confidence": 0.8, "action": "suggest"},
    }
    ticket_id = ticket or f"T{n}"
    return PredictionLabels(f"p{n}", ticket_id, labels, when)


def test_volume_window_starts_at_monday_or_six_days_back_in_the_zone() -> None:
    start = window_start(NOW, AMSTERDAM)
    assert start.isoformat() == "2026-11-26T00:00:00+01:00"  # Thursday: 7 days of daily counts
    monday = datetime(2026, 12, 7, 9, tzinfo=UTC)
    assert window_start(monday, AMSTERDAM).date().isoformat() == "2026-12-01"


def test_volume_counts_today_and_week_by_local_day() -> None:
    records = [
        _record(1, datetime(2026, 11, 30, 22, 30, tzinfo=UTC), "Network"),  # Mon 23:30 local
        _record(2, datetime(2026, 12, 1, 23, 30, tzinfo=UTC), "Access", "review"),  # Wed 00:30
        _record(3, datetime(2026, 12, 2, 9, 0, tzinfo=UTC), "Network", "suggest"),
        _record(4, datetime(2026, 11, 29, 12, 0, tzinfo=UTC), "Hardware"),  # Sunday: last week
    ]
    report = volume_report(records, NOW, AMSTERDAM)
    today, week = report["today"], report["week"]
    assert today["from"] == "2026-12-02" and week["from"] == "2026-11-30"
    assert today["tickets"] == 2 and week["tickets"] == 3
    assert today["labels"]["category"] == {"Access": 1, "Network": 1}
    assert week["labels"]["category"] == {"Network": 2, "Access": 1}
    assert week["labels"]["support_line"] == {"2": 3}
    assert today["actions"]["category"] == {"auto": 0, "suggest": 1, "review": 1}
    assert [d["tickets"] for d in report["daily"]] == [0, 0, 0, 1, 1, 0, 2]
    assert report["daily"][-1]["date"] == "2026-12-02"


def test_volume_counts_a_ticket_triaged_twice_once_with_its_latest_labels() -> None:
    first = _record(1, NOW - timedelta(hours=2), "Network", ticket="INC-7")
    again = _record(2, NOW - timedelta(hours=1), "Access", ticket="INC-7")
    report = volume_report([first, again], NOW, UTC)
    assert report["today"]["tickets"] == 1
    assert report["today"]["labels"]["category"] == {"Access": 1}


def test_volume_with_no_predictions_is_zero_everywhere() -> None:
    report = volume_report([], NOW, UTC)
    assert report["today"]["tickets"] == 0 and report["week"]["labels"]["category"] == {}
    assert len(report["daily"]) == 7 and all(d["tickets"] == 0 for d in report["daily"])
