"""ASGI middleware: body-size limit (413) and request context (id, access log, metrics)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PayloadTooLarge, api_problem
from api.metrics import Metrics

logger = logging.getLogger("api.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


async def _send_413(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    exc = PayloadTooLarge(f"body exceeds {limit} bytes; send fewer or shorter tickets")
    await api_problem(exc, Request(scope))(scope, receive, send)


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _send_413(scope, receive, send, self.limit)
            return
        await self._limited(scope, receive, send)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the body up to the limit (bodies are small), then replay it to the app."""
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.limit:
                await _send_413(scope, receive, send, self.limit)
                return
            more = message.get("more_body", False)
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


class RequestContext:
    """Request id (from `X-Request-ID` or new), one JSON access line, request metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics, state: Any) -> None:
        self.app, self.metrics, self.state = app, metrics, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status, started = 500, time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, request_id, status, time.perf_counter() - started)

    @staticmethod
    def _request_id(scope: Scope) -> str:
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        return given if _REQUEST_ID.match(given) else uuid.uuid4().hex

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", "unmatched")
        self.metrics.observe_request(route, scope["method"], status, seconds)
        model = self.state.models.current
        logger.info(
            "%s %s %d",
            scope["method"],
            route,
            status,
            extra={
                "request_id": request_id,
                "route": route,
                "method": scope["method"],
                "status": status,
                "latency_ms": round(seconds * 1000, 2),
                "model_version": model.version if model else None,
            },
        )
