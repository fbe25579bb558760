"""The domain model: required fields, invariants, ITIL priority matrix."""

from datetime import UTC, datetime, timedelta

import pytest

from triage.errors import TicketValueError
from triage.schema import (
    TICKET_FIELDS,
    KBArticle,
    Level,
    Priority,
    Status,
    SupportLine,
    Ticket,
    priority_from,
)

T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def test_ticket_minimal_needs_only_id_and_text() -> None:
    ticket = Ticket(ticket_id="INC-1", body="Outlook start niet op")
    assert ticket.text == "Outlook start niet op"
    assert ticket.category is None and not ticket.is_solved


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ticket_id": "  "}, "ticket_id"),
        ({"subject": "", "body": " \n"}, "body"),
        ({"csat": 6}, "csat"),
        ({"csat": 0}, "csat"),
        ({"reopened_count": -1}, "reopened_count"),
        ({"time_spent_minutes": -5.0}, "time_spent_minutes"),
        ({"created_at": datetime(2026, 1, 1)}, "created_at"),
        ({"created_at": T0, "resolved_at": T0 - timedelta(hours=1)}, "resolved_at"),
        ({"created_at": T0, "first_response_at": T0 - timedelta(seconds=1)}, "first_response_at"),
    ],
)
def test_ticket_invalid_values_name_the_field(changes: dict, field: str) -> None:
    values = {"ticket_id": "INC-1", "subject": "VPN", "body": "verbindt niet"} | changes
    with pytest.raises(TicketValueError) as info:
        Ticket(**values)
    assert info.value.field == field


def test_ticket_is_frozen_and_replace_validates() -> None:
    ticket = Ticket(ticket_id="INC-1", body="printer", status=Status.RESOLVED)
    with pytest.raises(AttributeError):
        ticket.body = "x"  # type: ignore[misc]
    assert ticket.is_solved
    with pytest.raises(TicketValueError):
        ticket.replace(csat=9)


def test_ticket_to_dict_has_every_field_as_plain_values() -> None:
    ticket = Ticket(
        ticket_id="INC-1",
        body="x",
        priority=Priority.P2,
        support_line=SupportLine.SECOND,
        impact=Level.HIGH,
        created_at=T0,
    )
    row = ticket.to_dict()
    assert tuple(row) == TICKET_FIELDS
    assert row["priority"] == "P2" and row["support_line"] == 2 and row["impact"] == "high"
    assert type(row["support_line"]) is int


@pytest.mark.parametrize(
    ("impact", "urgency", "expected"),
    [
        ("high", "high", "P1"),
        ("high", "medium", "P2"),
        ("medium", "high", "P2"),
        ("high", "low", "P3"),
        ("medium", "medium", "P3"),
        ("low", "high", "P3"),
        ("medium", "low", "P4"),
        ("low", "medium", "P4"),
        ("low", "low", "P4"),
    ],
)
def test_priority_from_follows_itil_matrix(impact: str, urgency: str, expected: str) -> None:
    assert priority_from(Level(impact), Level(urgency)) == Priority(expected)


def test_priority_from_is_monotone_in_impact_and_urgency() -> None:
    order = [Level.LOW, Level.MEDIUM, Level.HIGH]
    rank = {p: i for i, p in enumerate([Priority.P4, Priority.P3, Priority.P2, Priority.P1])}
    for i, low in enumerate(order[:-1]):
        high = order[i + 1]
        for other in order:
            assert rank[priority_from(high, other)] >= rank[priority_from(low, other)]
            assert rank[priority_from(other, high)] >= rank[priority_from(other, low)]


def test_article_needs_id_and_text() -> None:
    assert KBArticle(article_id="KB-1", title="VPN", body="Herstart GlobalProtect").text
    with pytest.raises(TicketValueError):
        KBArticle(article_id="", title="t", body="b")
    with pytest.raises(TicketValueError):
        KBArticle(article_id="KB-1", title=" ", body="")
