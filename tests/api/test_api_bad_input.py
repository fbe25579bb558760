"""Bad input through the real app: the right status, the field named, nothing stored.

Each case is a request a client really sends by mistake (a broken body, the wrong
Content-Type, a naive timestamp deep in a batch, a number where a date belongs, a prediction
of another ticket, a KB article that does not exist); the test checks the answer and that the
store holds nothing of a refused request.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from service_helpers import VPN_TICKET, issue_keys
from service_helpers import assert_problem as _problem

from api.state import state_of

RESOLVED = {
    "ticket_id": "INC-8001",
    "subject": "vpn router down",
    "body": "outage for everyone, dns broken",
    "category": "Network",
    "solution": "Restarted the VPN concentrator.",
    "created_at": "2026-11-30T09:00:00+00:00",
}


def _predictions(c: TestClient) -> list[Any]:
    """The stored predictions, once the writer committed what it queued (about 50 ms)."""
    state = state_of(c.app)
    assert state.writer is not None and state.writer.flush()
    return list(state.store.iter_predictions())


def _resolved(c: TestClient) -> list[Any]:
    return list(state_of(c.app).store.iter_resolved())


def test_bad_input_malformed_json_is_400_with_line_and_column(client: TestClient) -> None:
    headers = issue_keys(client)["triage"] | {"content-type": "application/json"}
    r = client.post("/v1/triage", content=b'{"ticket": {\n  "subject": "vpn",\n}', headers=headers)
    body = _problem(r, 400)
    assert body["title"] == "Body is not valid JSON"
    assert "line 3, column 1" in body["detail"], body["detail"]
    r = client.post("/v1/triage", content=b'{"ticket": {"subject": "\xff"}}', headers=headers)
    assert "UTF-8" in _problem(r, 400)["detail"]
    assert _predictions(client) == []


def test_bad_input_json_sent_as_text_is_415(client: TestClient) -> None:
    headers = issue_keys(client)["triage"] | {"content-type": "text/plain"}
    r = client.post("/v1/triage", content=b'{"ticket": {"subject": "vpn down"}}', headers=headers)
    detail = _problem(r, 415)["detail"]
    assert "'text/plain'" in detail and "application/json" in detail
    assert _predictions(client) == []


def test_bad_input_batch_names_the_item_the_domain_refuses(client: TestClient) -> None:
    tickets = [VPN_TICKET | {"ticket_id": f"B-{i}"} for i in range(6)]
    tickets[5] = tickets[5] | {"created_at": "2026-01-01T10:00:00"}  # no time zone
    r = client.post(
        "/v1/triage/batch", json={"tickets": tickets}, headers=issue_keys(client)["triage"]
    )
    body = _problem(r, 422)
    assert body["title"] == "Invalid request"
    assert body["detail"].startswith("body.tickets.5.created_at: timestamp has no time zone")
    assert body["errors"][0]["loc"] == ["body", "tickets", 5, "created_at"]
    assert _predictions(client) == []  # the whole batch refused, nothing queued or stored


def test_bad_input_batch_limit_is_one_number(client: TestClient) -> None:
    headers = issue_keys(client)["triage"]
    for n in (101, 1001):
        r = client.post("/v1/triage/batch", json={"tickets": [VPN_TICKET] * n}, headers=headers)
        assert _problem(r, 422)["detail"] == f"{n} tickets > 100; split the batch"


def test_bad_input_resolved_ticket_fields_are_strict(client: TestClient) -> None:
    headers = issue_keys(client)["triage"]
    cases = {
        "first_response_at": -99999999999,  # pydantic alone would read a Unix time (1966)
        "escalated": "yes",
        "csat": "5",
        "reopened_count": "2",
        "closed_at": "2026-11-29T09:00:00+00:00",  # before created_at
    }
    for field, value in cases.items():
        r = client.post(
            "/v1/tickets/resolved", json={"ticket": RESOLVED | {field: value}}, headers=headers
        )
        body = _problem(r, 422)
        assert body["detail"].startswith(f"body.ticket.{field}"), (field, body["detail"])
    assert _resolved(client) == []
    good = RESOLVED | {"escalated": True, "csat": 5, "reopened_count": 0}
    assert client.post("/v1/tickets/resolved", json={"ticket": good}, headers=headers).is_success


def test_bad_input_blank_optional_text_is_no_value(client: TestClient) -> None:
    """A field holding only invisible characters is absent, not an empty string: no
    pseudonym of "" shared by every such requester, no empty solution made searchable."""
    headers = issue_keys(client)["triage"]
    r = client.post(
        "/v1/triage", json={"ticket": VPN_TICKET | {"requester": "\u0000"}}, headers=headers
    )
    assert r.status_code == 200, r.text
    assert _predictions(client)[0].ticket.requester is None
    blank = RESOLVED | {"solution": "\u0000\u200b ", "requester": "  "}
    r = client.post("/v1/tickets/resolved", json={"ticket": blank}, headers=headers)
    assert r.status_code == 201 and r.json()["searchable"] is False
    stored = _resolved(client)[0].ticket
    assert stored.solution is None and stored.requester is None


def test_bad_input_resolved_ticket_links_only_its_own_prediction(
    make_settings: Any, bundle_v1: Any
) -> None:
    from api.app import create_app

    with TestClient(create_app(make_settings(bundle_dir=bundle_v1, feedback_wait_ms=0))) as c:
        headers = issue_keys(c)["triage"]

        def triage(ticket: dict[str, Any]) -> str:
            r = c.post("/v1/triage", json={"ticket": ticket}, headers=headers)
            return str(r.json()["prediction_id"])

        def resolve(ticket_id: str, prediction_id: str) -> Any:
            ticket = RESOLVED | {"ticket_id": ticket_id}
            body = {"ticket": ticket, "prediction_id": prediction_id}
            return c.post("/v1/tickets/resolved", json=body, headers=headers)

        own = triage(VPN_TICKET | {"ticket_id": "INC-1"})
        other = triage(VPN_TICKET | {"ticket_id": "INC-2"})
        anonymous = triage(VPN_TICKET)  # triaged before the ticket system gave it an id
        unknown = _problem(resolve("INC-1", "0" * 32), 404)["detail"]
        assert "prediction 00000000000000000000000000000000 not found" in unknown
        mixed = _problem(resolve("INC-1", other), 409)
        assert mixed["detail"].startswith("prediction_id: prediction")
        assert "was made for ticket INC-2, not INC-1" in mixed["detail"]
        assert _resolved(c) == []
        assert resolve("INC-1", own).status_code == 201
        assert resolve("INC-3", anonymous).status_code == 201
        assert [r.prediction_id for r in _resolved(c)] == [own, anonymous]


def test_bad_input_feedback_names_only_served_articles_and_tickets(client: TestClient) -> None:
    keys = issue_keys(client)
    pid = client.post("/v1/triage", json={"ticket": VPN_TICKET}, headers=keys["triage"]).json()[
        "prediction_id"
    ]
    rated = {"prediction_id": pid, "outcome": "rated", "kb_helpful": True}
    r = client.post(
        "/v1/feedback", json=rated | {"kb_article_id": "KB-NOPE"}, headers=keys["agent"]
    )
    assert "kb_article_id: 'KB-NOPE' is not an article" in _problem(r, 404)["detail"]
    r = client.post(
        "/v1/feedback", json=rated | {"solved_by_ticket_id": "NOPE-1"}, headers=keys["agent"]
    )
    assert "solved_by_ticket_id: 'NOPE-1' is not a solved ticket" in _problem(r, 404)["detail"]
    assert list(state_of(client.app).store.iter_feedback()) == []
    retriever = state_of(client.app).models.current.triager.retriever
    solved = retriever.tickets.dense.ids[0]
    good = rated | {"kb_article_id": "KB-1", "solved_by_ticket_id": solved}
    assert client.post("/v1/feedback", json=good, headers=keys["agent"]).status_code == 201


def test_bad_input_reload_with_an_empty_folder_is_refused(client: TestClient) -> None:
    r = client.post(
        "/v1/admin/reload", json={"bundle_dir": ""}, headers=issue_keys(client)["admin"]
    )
    assert _problem(r, 422)["detail"].startswith("body.bundle_dir")


def test_bad_input_purging_an_unknown_key_is_404(client: TestClient) -> None:
    r = client.post("/v1/admin/keys/abcdef/purge-feedback", headers=issue_keys(client)["admin"])
    assert "API key abcdef not found" in _problem(r, 404)["detail"]


def test_bad_input_a_body_fastapi_cannot_read_still_needs_a_key_first(client: TestClient) -> None:
    """Malformed JSON or another Content-Type was described (422) to a caller without a key."""
    broken = {"content": b"[1,2", "headers": {"content-type": "application/json"}}
    assert _problem(client.post("/v1/triage", **broken), 401)["title"].startswith("Missing")
    wrong = {"content-type": "text/plain", "X-API-Key": "trk_not_a_key"}
    _problem(client.post("/v1/admin/erase", content=b"{}", headers=wrong), 401)
    headers = broken["headers"] | issue_keys(client)["triage"]
    _problem(client.post("/v1/triage", content=b"[1,2", headers=headers), 400)


def test_bad_input_search_text_too_long_or_not_utf8_says_so(client: TestClient) -> None:
    agent = issue_keys(client)["agent"]
    for path in ("/v1/similar", "/v1/kb/search"):
        r = client.get(path, params={"q": "vpn " * 501}, headers=agent)
        detail = _problem(r, 422)["detail"]
        assert detail.startswith("query.q: String should have at most 2000 characters"), detail
        r = client.get(f"{path}?q=vpn%FF%FE", headers=agent)  # Latin-1 bytes, as some clients do
        assert "not UTF-8" in _problem(r, 422)["detail"]
        r = client.get(f"{path}?q=caf%C3%A9%20vpn", headers=agent)  # UTF-8: searched
        assert r.status_code == 200, r.text
