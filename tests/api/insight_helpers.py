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


def background_records(
    n: int = 260, version: str = "v1", now: datetime = NOW
) -> list[PredictionRecord]:
    """Triaged tickets of the five days before `now`, each about something else: the usual
    traffic an emerging incident is measured against."""
    rng = random.Random(0)
    records = []
    for i in range(n):
        words = " ".join(rng.sample(WORDS, 6))
        ticket = Ticket(ticket_id=f"BG-{i}", subject=words, body=f"{words} {i}")
        when = now - timedelta(days=5) + timedelta(minutes=25 * i)
        labels = {"category": {"label": "x", "confidence": 0.5, "action": "suggest"}}
        records.append(PredictionRecord(f"p{i:030d}", ticket, version, labels, created_at=when))
    return records


def unsure_records(n: int = 16, version: str = "v1", now: datetime = NOW) -> list[PredictionRecord]:
    """`n` triaged tickets about one thing the model was unsure of (`suggest`, below the class
    threshold), spread over the five days before `now`: a candidate new category, no burst."""
    records = []
    for i in range(n):
        ticket = Ticket(
            ticket_id=f"NEW-{i}",
            subject="Kantinepas wordt geweigerd bij de koffieautomaat",
            body=f"Mijn kantinepas wordt geweigerd bij de koffieautomaat op verdieping {i % 4}",
        )
        when = now - timedelta(days=5) + timedelta(minutes=(5 * 24 * 60 // n) * i + 7)
        labels = {
            "category": {
                "label": "x",
                "confidence": 0.3,
                "action": "suggest",
                "reason_code": "below_threshold",
            }
        }
        records.append(PredictionRecord(f"n{i:031d}", ticket, version, labels, created_at=when))
    return records


def triaged_background(client: TestClient, n: int = 260) -> None:
    """`background_records` in the app's store."""
    state_of(client.app).store.record_predictions(background_records(n))
