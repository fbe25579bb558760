"""GET /console: the agent console, static files served with a strict content security policy."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.errors import ApiError

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parents[1] / "static" / "console"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # for browsers without frame-ancestors
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-cache",  # revalidate (ETag): a new release shows at the next load
}
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Flat names only: nothing outside the console folder can be named.
_ASSET = re.compile(r"^[a-z][a-z0-9-]{0,40}\.(?:js|css|svg)$")


class AssetNotFound(ApiError):
    status, slug, title = 404, "not-found", "No such console file"


def _file(path: Path) -> FileResponse:
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=SECURITY_HEADERS)


@router.get("/console")
async def console_redirect() -> Response:
    """To `/console/`, so the page's relative links work behind a path prefix too."""
    return RedirectResponse("console/", status_code=308, headers=SECURITY_HEADERS)


@router.get("/console/")
async def console_page() -> Response:
    """The console page (no key needed to load it: the page asks for one)."""
    return _file(STATIC / "index.html")


@router.get("/console/{name}")
async def console_asset(name: str) -> Response:
    """A script, style sheet or icon of the console."""
    path = STATIC / name
    if not _ASSET.match(name) or not path.is_file():
        raise AssetNotFound(f"{name!r} is not a console file; open /console/")
    return _file(path)
