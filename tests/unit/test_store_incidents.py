"""The incident ledger: a burst's tickets are claimed by one incident, whichever worker (and
whatever incident id) comes second learns the owner; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from triage.errors import FeedbackStoreError
from triage.store.engine import make_engine
from triage.store.incidents import Claim, IncidentLedger, ledger_for
from triage.store.sql import SqlFeedbackStore

FIRST = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ALERT = FIRST + timedelta(minutes=7)


def _claim(ledger: IncidentLedger, incident_id: str, tickets: list[str]) -> Claim:
    return ledger.claim(incident_id, tickets, FIRST, ALERT, {"tickets": len(tickets)})


def test_incident_ledger_second_worker_learns_the_owner(store: SqlFeedbackStore) -> None:
    a = IncidentLedger(store.engine, "host:1")
    b = IncidentLedger(store.engine, "host:2")
    assert _claim(a, "inc-a", ["T1", "T2", "T3", "T4"]) == Claim("inc-a", claimed=True)
    # the other worker saw the burst start one ticket later: another id, one shared ticket
    assert _claim(b, "inc-b", ["T2", "T5", "T6", "T7"]) == Claim("inc-a", claimed=False)
    assert _claim(b, "inc-a", ["T1", "T2", "T3", "T4"]) == Claim("inc-a", claimed=False)
    assert _claim(b, "inc-c", ["U1", "U2", "U3", "U4"]) == Claim("inc-c", claimed=True)
    recorded = a.recorded()
    assert [(r["incident_id"], r["claimed_by"]) for r in recorded] == [
        ("inc-a", "host:1"),
        ("inc-c", "host:2"),
    ]
    assert recorded[0]["payload"] == {"tickets": 4}
    assert a.owner(["T7", "T3"]) == "inc-a" and a.owner(["T5"]) is None


def test_incident_ledger_workers_racing_on_one_burst_claim_it_once(
    store: SqlFeedbackStore,
) -> None:
    tickets = [f"OUT-{i}" for i in range(40)]
    claims: dict[int, Claim] = {}
    errors: dict[int, BaseException] = {}
    start = threading.Barrier(4)

    def claim(worker: int) -> None:
        try:
            ledger = IncidentLedger(store.engine, f"host:{worker}")
            start.wait(30)
            claims[worker] = _claim(ledger, f"inc-{worker}", tickets[worker:])
        except BaseException as e:  # an exception in a thread is only a pytest warning
            errors[worker] = e

    threads = [threading.Thread(target=claim, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert errors == {}
    assert sorted(claims) == [0, 1, 2, 3]  # every worker got an answer
    assert sum(c.claimed for c in claims.values()) == 1
    assert len({c.incident_id for c in claims.values()}) == 1
    (owner,) = [w for w, c in claims.items() if c.claimed]
    recorded = IncidentLedger(store.engine).recorded()
    assert [(r["incident_id"], r["claimed_by"]) for r in recorded] == [
        (f"inc-{owner}", f"host:{owner}")
    ]


def test_incident_ledger_unreachable_database_is_a_typed_error(tmp_path: object) -> None:
    ledger = IncidentLedger(make_engine("sqlite:////nonexistent/folder/x.db"))
    with pytest.raises(FeedbackStoreError, match="not recorded"):
        _claim(ledger, "inc-x", ["T1"])


def test_incident_ledger_only_for_sql_stores(store: SqlFeedbackStore) -> None:
    assert ledger_for(store) is not None
    assert ledger_for(object()) is None
