"""Helpers for the insight tests: keys, and a store filled with the usual traffic."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from api.state import state_of
from triage.schema import Ticket
from triage.store.keys import create_key
from triage.store.records import PredictionRecord

WORDS = [
    "laptop",
    "scherm",
    "muis",
    "toetsenbord",
    "printer",
    "toner",
    "scan",
    "agenda",
    "teams",
    "bellen",
    "headset",
    "camera",
    "onedrive",
    "sharepoint",
    "citrix",
    "afas",
    "factuur",
    "zaak",
    "formulier",
    "website",
    "wifi",
    "gast",
    "backup",
    "schijf",
]
NOW = datetime.now(UTC)


def key_for(client: TestClient, *scopes: str) -> dict[str, str]:
    store = state_of(client.app).store
    return {"X-API-Key": create_key(store, list(scopes))[0]}


def triaged_background(client: TestClient, n: int = 260) -> None:
    """Triaged tickets of the last days, each about something else (the usual traffic)."""
    rng = random.Random(0)
    records = []
    for i in range(n):
        words = " ".join(rng.sample(WORDS, 6))
        ticket = Ticket(ticket_id=f"BG-{i}", subject=words, body=f"{words} {i}")
        when = NOW - timedelta(days=5) + timedelta(minutes=25 * i)
        labels = {"category": {"label": "x", "confidence": 0.5, "action": "suggest"}}
        records.append(PredictionRecord(f"p{i:030d}", ticket, "v1", labels, created_at=when))
    state_of(client.app).store.record_predictions(records)
