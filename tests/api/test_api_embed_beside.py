"""`TRIAGE_EMBED_BESIDE`: embedding on its own thread changes no answer of /v1/triage."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from service_helpers import issue_keys

from api.app import create_app
from api.state import state_of

TICKETS = [
    {"subject": "vpn keeps dropping", "body": "the tunnel fails every ten minutes"},
    {"subject": "printer offline", "body": "cannot print on the third floor"},
    {"subject": "password expired", "body": "locked out of my account since this morning"},
    {"subject": "database query slow", "body": "the sql replica table takes minutes"},
    {"subject": "laptop screen flickers", "body": "new docking station, external monitor"},
    {"subject": "outlook crashes", "body": "mail client closes on start"},
]


def _rounded(value: Any) -> Any:
    """Floats to 1e-9: a micro-batch's composition moves the last digits of a BLAS product
    (with or without the embedding thread), and concurrent requests batch as they arrive."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _answers(client: TestClient, headers: dict[str, str]) -> list[Any]:
    """Each ticket alone, all in one batch call, and all at once concurrently (micro-batches
    form as they arrive: compared rounded), without ids."""

    def one(ticket: dict[str, str]) -> Any:
        r = client.post("/v1/triage", json={"ticket": ticket}, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    with ThreadPoolExecutor(len(TICKETS)) as pool:
        concurrent = list(pool.map(one, TICKETS))
    r = client.post("/v1/triage/batch", json={"tickets": TICKETS}, headers=headers)
    assert r.status_code == 200, r.text
    answers = [one(t) for t in TICKETS] + r.json()["results"] + _rounded(concurrent)
    for answer in answers:
        del answer["prediction_id"], answer["ticket_id"]
    return answers


def test_embed_beside_serves_the_same_answers(make_settings, bundle_v1: Path) -> None:  # type: ignore[no-untyped-def]
    served = {}
    for beside in (False, True):
        settings = make_settings(bundle_dir=bundle_v1, embed_beside=beside)
        with TestClient(create_app(settings)) as client:
            assert (state_of(client.app).embed_executor is not None) is beside
            served[beside] = _answers(client, issue_keys(client)["triage"])
    assert served[True] == served[False]
    assert all(a["predictions"] for a in served[True])
    assert any(a["similar"] for a in served[True])
