"""Insight KPIs against hand-computed values on small tables: SLA, FCR, reopens, missing fields,
time zones (DST) and periods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from triage.errors import ConfigError
from triage.insight import kpi, periods
from triage.insight.config import InsightConfig
from triage.insight.facts import build_facts
from triage.insight.peaks import peaks
from triage.insight.table import from_tickets, normalise
from triage.schema import Priority, Status, SupportLine, Ticket

T0 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam (summer time)
CONFIG = InsightConfig()  # Europe/Amsterdam; resolution targets P1 4 h ... P4 80 h


def ticket(n: int, **fields: Any) -> Ticket:
    values: dict[str, Any] = {"ticket_id": f"T{n}", "subject": "printer offline", "created_at": T0}
    values.update(fields)
    return Ticket(**values)


def hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


SOLVED = dict(status=Status.CLOSED, support_line=SupportLine.FIRST, escalated=False)
TICKETS = [
    # P1: responded in 6 min, resolved in 2 h -> within both SLAs (0.25 h / 4 h)
    ticket(1, priority=Priority.P1, first_response_at=hours(0.1), resolved_at=hours(2),
           reopened_count=0, csat=5, time_spent_minutes=30, **SOLVED),
    # P1: responded in 30 min, resolved in 6 h -> misses both
    ticket(2, priority=Priority.P1, first_response_at=hours(0.5), resolved_at=hours(6),
           reopened_count=1, csat=2, time_spent_minutes=90, **SOLVED),
    # P4: first-contact resolution (resolved 10 min after the first response, line 1)
    ticket(3, priority=Priority.P4, first_response_at=hours(0.05), resolved_at=hours(0.05 + 1 / 6),
           reopened_count=0, time_spent_minutes=12, **SOLVED),
    # P4: quick but reopened -> not FCR
    ticket(4, priority=Priority.P4, first_response_at=hours(0.05), resolved_at=hours(0.2),
           reopened_count=1, time_spent_minutes=20, **SOLVED),
    # P3, second line: resolved in 48 h (> 40 h target)
    ticket(5, priority=Priority.P3, first_response_at=hours(1), resolved_at=hours(48),
           reopened_count=0, status=Status.CLOSED, support_line=SupportLine.SECOND,
           escalated=True, assignment_group="Netwerkbeheer", time_spent_minutes=60),
    # P3 still open, created 100 h before the export: already breached the 40 h target
    ticket(6, priority=Priority.P3, first_response_at=hours(2), status=Status.IN_PROGRESS,
           support_line=SupportLine.SECOND, created_at=hours(0)),
    # cancelled: counts in volume only
    ticket(7, priority=Priority.P4, status=Status.CANCELLED, first_response_at=hours(0.1),
           time_spent_minutes=2),
]  # fmt: skip
AS_OF = pd.Timestamp(hours(100))


@pytest.fixture()
def table() -> pd.DataFrame:
    return from_tickets(TICKETS)


def test_kpi_response_and_resolution_match_hand_computed_values(table: pd.DataFrame) -> None:
    facts = build_facts(table, CONFIG, AS_OF)
    out = kpi.overall(facts, table, CONFIG)
    response = out["response_time"]  # 6 tickets (cancelled left out): 0.1 0.5 0.05 0.05 1 2 h
    assert response["n"] == 6
    assert response["median_h"] == pytest.approx((0.1 + 0.5) / 2)
    resolution = out["resolution_time"]  # 2, 6, 0.2167, 0.2, 48 h
    assert resolution["n"] == 5
    assert resolution["median_h"] == pytest.approx(2.0, abs=1e-4)
    p1 = resolution["by_priority"]["P1"]
    assert (p1["tickets"], p1["within_sla"]) == (2, 0.5)
    p3 = resolution["by_priority"]["P3"]  # 48 h resolved late, the open one is past 40 h: 0 of 2
    assert (p3["tickets"], p3["within_sla"]) == (2, 0.0)
    assert resolution["within_sla"] == pytest.approx(3 / 6)  # P1 1/2, P3 0/2, P4 2/2


def test_kpi_open_ticket_within_target_is_not_judged_yet(table: pd.DataFrame) -> None:
    facts = build_facts(table, CONFIG, pd.Timestamp(hours(10)))  # open ticket only 10 h old
    p3 = kpi.overall(facts, table, CONFIG)["resolution_time"]["by_priority"]["P3"]
    assert p3["tickets"] == 1  # the 48 h one; the open ticket is pending, not a miss or a hit


def test_kpi_fcr_reopened_escalation_csat_and_time_spent(table: pd.DataFrame) -> None:
    out = kpi.overall(build_facts(table, CONFIG, AS_OF), table, CONFIG)
    # solved: T1..T5. FCR needs resolution within 30 min of the first response, no reopen,
    # not escalated, first line: T3 only (T4 reopened, T1/T2 too slow, T5 escalated).
    assert out["first_contact_resolution"]["rate"] == pytest.approx(1 / 5, abs=1e-4)
    assert out["reopened"]["rate"] == pytest.approx(2 / 5, abs=1e-4)
    # beyond first line among the 6 non-cancelled tickets: T5 and T6
    assert out["escalation"]["rate"] == pytest.approx(2 / 6, abs=1e-4)
    assert out["escalation"]["to_line"] == {"2": 1.0}
    assert out["csat"]["mean"] == pytest.approx(3.5, abs=1e-4)
    assert out["csat"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert out["time_spent"]["total_h"] == pytest.approx(
        (30 + 90 + 12 + 20 + 60 + 2) / 60, abs=0.05
    )
    assert out["volume"] == {
        "available": True, "tickets": 7, "cancelled": 1, "open": 1, "solved": 5, "days": 1,
        "per_day": 7.0,
    }  # fmt: skip


def test_kpi_missing_field_is_unavailable_not_zero() -> None:
    bare = [ticket(i, priority=Priority.P3) for i in range(5)]  # no response, resolution, CSAT
    table = from_tickets(bare)
    facts = build_facts(table, CONFIG)
    out = kpi.overall(facts, table, CONFIG)
    for name in ("response_time", "resolution_time", "csat", "first_contact_resolution"):
        assert out[name]["available"] is False
        assert "no ticket has" in out[name]["reason"]
    assert out["volume"]["tickets"] == 5
    row = kpi.by_dimension(facts, table, "priority")[0]
    assert row["csat_mean"] is None and row["resolution_within_sla"] is None


def test_kpi_partly_missing_field_counts_only_known_rows() -> None:
    rows = [ticket(1, csat=4), ticket(2, csat=2), ticket(3)]
    table = from_tickets(rows)
    csat = kpi.overall(build_facts(table, CONFIG), table, CONFIG)["csat"]
    assert (csat["n"], csat["mean"]) == (2, 3.0)


def test_kpi_by_dimension_groups_missing_values_as_none(table: pd.DataFrame) -> None:
    facts = build_facts(table, CONFIG, AS_OF)
    groups = {r["value"]: r for r in kpi.by_dimension(facts, table, "support_line")}
    assert set(groups) == {"1", "2", "(none)"}
    assert groups["2"]["tickets"] == 2


def test_insight_local_time_follows_dst_in_heatmap_and_weeks() -> None:
    moments = [
        datetime(2025, 3, 30, 0, 30, tzinfo=UTC),  # Sun 01:30 CET (before the switch)
        datetime(2025, 3, 30, 1, 30, tzinfo=UTC),  # Sun 03:30 CEST (after it)
        datetime(2025, 10, 26, 0, 30, tzinfo=UTC),  # Sun 02:30 CEST (first pass)
        datetime(2025, 10, 26, 1, 30, tzinfo=UTC),  # Sun 02:30 CET (second pass)
        datetime(2025, 6, 1, 22, 30, tzinfo=UTC),  # Mon 00:30 CEST: already the next week
    ]
    table = from_tickets([ticket(i, created_at=m) for i, m in enumerate(moments)])
    facts = build_facts(table, CONFIG)
    grid = peaks(facts)["heatmap"]
    weeks = peaks(facts)["weeks"]
    counts = [[round(v * weeks) for v in row] for row in grid]
    assert counts[6][1] == 1 and counts[6][3] == 1 and counts[6][2] == 2  # Sunday 01, 03, 2x 02
    assert counts[0][0] == 1  # Monday 00:30 local, Sunday 22:30 UTC
    keys = periods.period_index(facts, "week").astype(str).tolist()
    assert keys[4] == "2025-06-02/2025-06-08"


def test_insight_timezone_is_configurable() -> None:
    table = from_tickets([ticket(1, created_at=datetime(2025, 6, 2, 8, 0, tzinfo=UTC))])
    utc = build_facts(table, InsightConfig(timezone="UTC"))
    amsterdam = build_facts(table, CONFIG)
    assert utc.frame["local"].iloc[0].hour == 8
    assert amsterdam.frame["local"].iloc[0].hour == 10


def test_insight_config_refuses_bad_values() -> None:
    with pytest.raises(ConfigError, match="time zone"):
        InsightConfig(timezone="Mars/Olympus")
    with pytest.raises(ConfigError, match="unknown priorities"):
        InsightConfig(sla_response_hours={"P9": 1.0})
    with pytest.raises(ConfigError, match="positive"):
        InsightConfig(sla_resolution_hours={"P1": 0})
    with pytest.raises(ConfigError, match="unknown keys"):
        InsightConfig.from_mapping({"timezon": "UTC"})


def _weekly(counts: list[int], start: datetime) -> pd.DataFrame:
    rows = []
    for week, n in enumerate(counts):
        for i in range(n):
            created = start + timedelta(weeks=week, hours=i % 40)
            rows.append(ticket(len(rows), created_at=created, category="printing"))
    return from_tickets(rows)


def test_periods_mark_partial_weeks_and_rank_the_largest_change() -> None:
    start = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)  # Monday 08:00 local
    table = _weekly([30, 32, 29, 31, 90, 5], start)
    as_of = pd.Timestamp(start + timedelta(weeks=5, days=2))  # in the middle of the 6th week
    facts = build_facts(table, CONFIG, as_of)
    rows = periods.by_period(facts, CONFIG, "week")
    assert [r["tickets"] for r in rows] == [30, 32, 29, 31, 90, 5]
    assert [r["complete"] for r in rows] == [True] * 5 + [False]
    changes = periods.changes(facts, table, CONFIG, "week")
    top = changes["items"][0]
    assert (top["measure"], top["before"], top["after"]) == ("tickets", 31, 90)
    assert top["z"] == pytest.approx((90 - 31) / (31 + 90) ** 0.5, abs=0.01)
    trend = periods.trends(rows)["tickets"]
    assert trend["direction"] == "up"


def test_periods_refuse_an_unknown_period(table: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="period"):
        periods.period_index(build_facts(table, CONFIG), "fortnight")


def test_table_normalise_adds_missing_columns_as_na() -> None:
    frame = normalise(pd.DataFrame({"ticket_id": ["a"], "subject": ["x"]}))
    assert frame["created_at"].isna().all() and str(frame["created_at"].dtype).endswith("UTC]")
    assert frame["csat"].isna().all()
