"""Errors as RFC 9457 problem+json: the only place that maps library errors to HTTP."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.state import request_state
from triage.errors import BundleError, NotFoundError, StoreBusyError, TicketValueError, TriageError

logger = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
_TYPE = "https://triage.local/problems/"


class ApiError(Exception):
    """An error with an HTTP status, a problem type slug and a message that says what to do."""

    status = 500
    slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class Unauthorized(ApiError):
    status, slug, title = 401, "unauthorized", "Missing or invalid API key"


class Forbidden(ApiError):
    status, slug, title = 403, "forbidden", "API key lacks the scope"


class PayloadTooLarge(ApiError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class Overloaded(ApiError):
    status, slug, title = 429, "overloaded", "Too many requests queued"


class NotReady(ApiError):
    status, slug, title = 503, "not-ready", "No model loaded"


class BundleRefused(ApiError):
    status, slug, title = 422, "bundle-refused", "Bundle refused; the old one keeps serving"


def problem(
    status: int, slug: str, title: str, detail: str, request: Request | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response; carries the request id when there is one."""
    body: dict[str, Any] = {
        "type": _TYPE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    body.update(extra)
    response = JSONResponse(body, status_code=status, media_type=PROBLEM)
    if request is not None and body.get("request_id"):
        # a 500 is sent by Starlette's outermost middleware, around the one that adds the header
        response.headers["X-Request-ID"] = body["request_id"]
    return response


def api_problem(exc: ApiError, request: Request | None = None) -> JSONResponse:
    """The problem+json response of an `ApiError`, with its headers (also an ASGI app, so
    middleware that answers before routing can send it)."""
    response = problem(exc.status, exc.slug, exc.title, exc.detail, request)
    response.headers.update(exc.headers)
    return response


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    response = api_problem(exc, request)
    if exc.status == 429:
        request_state(request).metrics.rejected.inc()
    return response


def _clean(error: dict[str, Any]) -> dict[str, Any]:
    """A validation error without the offending input (it may hold ticket text)."""
    return {
        "loc": list(error.get("loc", ())),
        "msg": error.get("msg", ""),
        "type": error.get("type", ""),
    }


def _malformed_json(request: Request, exc: RequestValidationError) -> JSONResponse | None:
    """400 for a body that is not JSON at all (FastAPI reports it as a validation error at the
    character where parsing stopped), with the line and column a person can find."""
    error = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
    if error is None:
        return None
    loc = list(error.get("loc", ()))
    pos = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    doc = exc.body if isinstance(exc.body, str) else ""
    line = doc.count("\n", 0, pos) + 1
    column = pos - (doc.rfind("\n", 0, pos) + 1) + 1
    why = (error.get("ctx") or {}).get("error", "JSON decode error")
    detail = (
        f"body is not valid JSON: {why} at line {line}, column {column}; send one JSON object "
        "(see /docs for the schema)"
    )
    return problem(400, "malformed-json", "Body is not valid JSON", detail, request)


def _not_json(request: Request, errors: list[dict[str, Any]]) -> JSONResponse | None:
    """415 when the body was not read as JSON because its Content-Type says it is something
    else (FastAPI then validates the raw bytes and reports "a valid dictionary")."""
    kind = request.headers.get("content-type", "")
    media = kind.split(";", 1)[0].strip().lower()
    if not kind or media == "application/json" or media.endswith("+json"):
        return None
    if not any(e["loc"] == ["body"] for e in errors):
        return None
    detail = f"the body is sent as {media!r}; send JSON with Content-Type: application/json"
    return problem(415, "unsupported-media-type", "Body must be JSON", detail, request)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if request.url.path.startswith("/v1/"):  # every /v1 route needs a key: 401 comes first
        from api.security import refusal  # api.security raises this module's errors

        refused = await refusal(request)
        if refused is not None:
            return api_problem(refused, request)
    malformed = _malformed_json(request, exc)
    if malformed is not None:
        return malformed
    errors = [_clean(e) for e in exc.errors()]
    not_json = _not_json(request, errors)
    if not_json is not None:
        return not_json
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"])
    detail = f"{where}: {first['msg']}; fix the request (see /docs for the schema)"
    return problem(422, "validation", "Invalid request", detail, request, errors=errors)


UNREADABLE_BODY = "There was an error parsing the body"
"""FastAPI's detail for a body it could not decode (not UTF-8)."""


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == UNREADABLE_BODY:
        detail = "the body is not readable text; send JSON encoded as UTF-8"
        return problem(400, "malformed-json", "Body is not valid JSON", detail, request)
    response = problem(exc.status_code, "http", str(exc.detail), str(exc.detail), request)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


_TRIAGE_STATUS: tuple[tuple[type[TriageError], int, str, str], ...] = (
    (TicketValueError, 422, "validation", "Invalid request"),
    (NotFoundError, 404, "not-found", "Not found"),
    (BundleError, 503, "bundle", "Model bundle unusable"),
)


def invalid_field(exc: TicketValueError, *loc: str | int) -> RequestValidationError:
    """A value the domain refused (`Ticket` checks what the schema cannot: time zones, the order
    of timestamps) as the schema's own 422, located in the body: `("ticket",)` or
    `("tickets", 5)` plus the field, so a batch names its bad item."""
    error = {"loc": ("body", *loc, exc.field), "msg": exc.reason, "type": "value_error"}
    return RequestValidationError([error])


def _store_busy(request: Request, exc: StoreBusyError) -> JSONResponse:
    request_state(request).metrics.store_busy.labels(exc.operation).inc()
    response = problem(503, "store-busy", "Database busy", str(exc), request)
    response.headers["Retry-After"] = "1"
    return response


async def _triage(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, StoreBusyError):
        return _store_busy(request, exc)
    for kind, status, slug, title in _TRIAGE_STATUS:
        if isinstance(exc, kind):
            return problem(status, slug, title, str(exc), request)
    logger.warning("unmapped library error %s", type(exc).__name__)
    return problem(400, "triage", type(exc).__name__, str(exc), request)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s", request.url.path)
    detail = "unexpected server error; retry, and report the request_id if it persists"
    return problem(500, "internal", "Internal error", detail, request)


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on `app`."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(TriageError, _triage)
    app.add_exception_handler(Exception, _unexpected)
