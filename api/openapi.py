"""The OpenAPI document with every problem+json response the service sends, so a client (and
schemathesis) knows each error's status and shape."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import PROBLEM
from api.state import state_of

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong and what to do."},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
_WHY = {
    "400": "The body is not readable JSON (with the line and column where it breaks).",
    "401": "Missing, unknown or revoked API key.",
    "403": "The key lacks the route's scope, or may not change this ticket.",
    "404": "What the request names does not exist.",
    "409": "Another write changed the same ticket at the same moment (send it again), or the "
    "prediction_id was made for another ticket.",
    "413": "Request body over TRIAGE_MAX_BODY_BYTES.",
    "415": "The body is sent with a Content-Type other than JSON.",
    "422": "Invalid request (a field, a label, a bundle).",
    "429": "Queue full, key over its rate limit or feedback cap (see Retry-After).",
    "503": "No model loaded (or it has no retrieval index).",
}
_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    """The problem statuses an operation can answer with."""
    if not path.startswith("/v1"):
        return []
    codes = ["401", "403", "422", "429", "503"]
    if "{" in path or path in {"/v1/feedback", "/v1/admin/reload", "/v1/tickets/resolved"}:
        codes.append("404")
    if "requestBody" in operation:
        codes += ["400", "413", "415"]
    if path == "/v1/tickets/resolved":
        codes.append("409")
    return codes


def _problem_response(code: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _WHY[code],
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if code == "429":
        response["headers"] = _RETRY_AFTER
    return response


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with problem+json responses on every `/v1` operation (FastAPI's own 422, a
    JSON `HTTPValidationError`, is replaced: the service never sends it)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for code in _statuses(path, method, operation):
                responses[code] = _problem_response(code)
    return schema


FEEDBACK_RULES: list[dict[str, Any]] = [
    {"properties": {"outcome": {"enum": ["accepted", "rejected"]}}},
    {
        "properties": {"outcome": {"const": "corrected"}, "corrections": {"minProperties": 1}},
        "required": ["corrections"],
    },
    {
        "properties": {"outcome": {"const": "rated"}, "corrections": {"maxProperties": 0}},
        "anyOf": [
            {"required": [name], "properties": {name: {"type": "string"}}}
            for name in ("solved_by_ticket_id", "kb_article_id")
        ],
    },
]
"""`FeedbackIn._consistent` as JSON Schema: what each outcome needs."""


_NOT_GIVEN: dict[str, dict[str, Any]] = {
    "requester": {"type": "null"},
    "ticket_ids": {"maxItems": 0},
    "older_than_months": {"type": "null"},
}
ERASE_RULES: list[dict[str, Any]] = [
    {
        "required": [name],
        "properties": {name: given} | {k: v for k, v in _NOT_GIVEN.items() if k != name},
    }
    for name, given in (
        ("requester", {"type": "string"}),
        ("ticket_ids", {"minItems": 1}),
        ("older_than_months", {"type": "integer"}),
    )
]
"""`EraseIn._exactly_one` as JSON Schema: one of requester, ticket ids or a retention."""


def _tighten(schema: dict[str, Any], settings: Any, labels: dict[str, list[Any]] | None) -> None:
    """What the server checks beyond the models, written into the schema: the batch limit, the
    feedback rules, the served model's label sets, the known time zones."""
    from zoneinfo import available_timezones  # reads the tz database: only when documenting

    models = schema.get("components", {}).get("schemas", {})
    if "BatchRequest" in models:
        models["BatchRequest"]["properties"]["tickets"]["maxItems"] = settings.max_batch_tickets
    if "EraseIn" in models:
        models["EraseIn"]["anyOf"] = ERASE_RULES
    if "FeedbackIn" in models:
        models["FeedbackIn"]["anyOf"] = FEEDBACK_RULES
        if labels:
            corrections = models["FeedbackIn"]["properties"]["corrections"]
            corrections["properties"] = {
                target: {"type": "string", "enum": [str(v) for v in values]}
                for target, values in labels.items()
            }
            corrections["additionalProperties"] = False
    zones = sorted({"UTC", *available_timezones()})
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "tz":
                    parameter["schema"] = parameter["schema"] | {"enum": zones}


def install(app: FastAPI) -> None:
    """Serve the documented schema at /openapi.json, rebuilt when the served model changes (its
    label sets are the corrections `/v1/feedback` accepts)."""
    built: dict[str, dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        model = state_of(app).models.current
        version = model.version if model is not None else ""
        if version not in built:
            base = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            labels = model.triager.manifest.get("labels") if model is not None else None
            _tighten(base, state_of(app).settings, labels)
            built.clear()
            built[version] = document_problems(base)
        return built[version]

    app.openapi = openapi  # type: ignore[method-assign]
