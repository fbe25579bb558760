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


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_clean(e) for e in exc.errors()]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"])
    detail = f"{where}: {first['msg']}; fix the request (see /docs for the schema)"
    return problem(422, "validation", "Invalid request", detail, request, errors=errors)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = problem(exc.status_code, "http", str(exc.detail), str(exc.detail), request)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


_TRIAGE_STATUS: tuple[tuple[type[TriageError], int, str], ...] = (
    (TicketValueError, 422, "validation"),
    (NotFoundError, 404, "not-found"),
    (BundleError, 503, "bundle"),
)


def _store_busy(request: Request, exc: StoreBusyError) -> JSONResponse:
    request_state(request).metrics.store_busy.labels(exc.operation).inc()
    response = problem(503, "store-busy", "Database busy", str(exc), request)
    response.headers["Retry-After"] = "1"
    return response


async def _triage(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, StoreBusyError):
        return _store_busy(request, exc)
    for kind, status, slug in _TRIAGE_STATUS:
        if isinstance(exc, kind):
            return problem(status, slug, type(exc).__name__, str(exc), request)
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
