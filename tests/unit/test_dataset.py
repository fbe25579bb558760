"""The normalised Parquet dataset: round trips, atomic writes, clear errors."""

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from triage.dataset import (
    TICKET_SCHEMA,
    iter_tickets,
    read_articles,
    read_table,
    read_tickets,
    ticket_from_row,
    tickets_to_table,
    write_articles,
    write_tickets,
)
from triage.errors import DataError, TicketValueError
from triage.schema import Channel, KBArticle, Priority, Status, SupportLine, Ticket


def _tickets() -> list[Ticket]:
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    return [
        Ticket(
            ticket_id="INC-1",
            subject="Wachtwoord verlopen",
            body="Kan niet inloggen",
            created_at=t0,
            channel=Channel.PHONE,
            priority=Priority.P3,
            support_line=SupportLine.FIRST,
            status=Status.CLOSED,
            csat=5,
            escalated=False,
        ),
        Ticket(ticket_id="INC-2", body="VPN drops every 5 minutes", language="en"),
    ]


def test_tickets_round_trip_through_parquet(tmp_path: Path) -> None:
    path = write_tickets(_tickets(), tmp_path / "tickets.parquet")
    assert read_tickets(path) == _tickets()
    assert read_table(path).schema.equals(TICKET_SCHEMA)


def test_iter_tickets_streams_in_batches(tmp_path: Path) -> None:
    many = [Ticket(ticket_id=f"INC-{i}", body=f"printer {i}") for i in range(25)]
    path = write_tickets(many, tmp_path / "t.parquet")
    assert [t.ticket_id for t in iter_tickets(path, batch_size=7)] == [t.ticket_id for t in many]


def test_articles_round_trip(tmp_path: Path) -> None:
    articles = [KBArticle(article_id="KB-1", title="VPN", body="Herstart", language="nl")]
    path = write_articles(articles, tmp_path / "kb.parquet")
    assert read_articles(path) == articles


def test_write_leaves_no_temp_files(tmp_path: Path) -> None:
    write_tickets(_tickets(), tmp_path / "tickets.parquet")
    assert [p.name for p in tmp_path.iterdir()] == ["tickets.parquet"]


def test_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="triage data import"):
        read_tickets(tmp_path / "nope.parquet")


def test_foreign_parquet_is_refused_with_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"x": [1]}), path)
    with pytest.raises(DataError, match="missing"):
        read_tickets(path)


def test_unknown_enum_value_names_field() -> None:
    with pytest.raises(TicketValueError) as info:
        ticket_from_row({"ticket_id": "1", "body": "x", "priority": "urgent"})
    assert info.value.field == "priority"


def test_wrong_column_types_and_bad_rows_name_the_column_or_the_row(tmp_path: Path) -> None:
    """These were tracebacks (`'str' object has no attribute 'tzinfo'`, a missing keyword
    argument) in `triage evaluate` and `triage index build`."""
    table = tickets_to_table(
        [Ticket(ticket_id=f"T{i}", subject="vpn", body="down", csat=4) for i in range(3)]
    )
    as_text = table.set_column(
        table.schema.get_field_index("created_at"),
        "created_at",
        pa.array(["2026-01-01T10:00:00Z"] * 3),
    )
    pq.write_table(as_text, tmp_path / "text_dates.parquet")
    with pytest.raises(DataError, match="column created_at has type string"):
        read_tickets(tmp_path / "text_dates.parquet")
    no_id = table.set_column(0, "ticket_id", pa.array(["T0", None, "T2"], pa.string()))
    pq.write_table(no_id, tmp_path / "no_id.parquet")
    with pytest.raises(DataError, match=r"row 2 \(ticket None\)"):
        read_tickets(tmp_path / "no_id.parquet")
