"""The console's server side: static files with a strict CSP, and the endpoints the page uses."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_helpers import ARTICLES, VPN_TICKET, issue_keys

from api.app import create_app
from api.routers.console import CSP, STATIC
from api.settings import Settings
from api.state import state_of
from triage.store.dataset import labelled_tickets

Keys = dict[str, dict[str, str]]


def _triage(client: TestClient, keys: Keys, **fields: object) -> dict:
    r = client.post("/v1/triage", json={"ticket": VPN_TICKET | fields}, headers=keys["triage"])
    assert r.status_code == 200, r.text
    return r.json()


# -- static files and headers -----------------------------------------------------------------


def test_console_page_is_served_with_security_headers(client: TestClient) -> None:
    redirect = client.get("/console", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"] == "console/"
    page = client.get("/console/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"


def test_console_assets_have_their_types_and_nothing_else_is_served(client: TestClient) -> None:
    script = client.get("/console/main.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["content-security-policy"] == CSP
    assert client.get("/console/console.css").headers["content-type"].startswith("text/css")
    for name in ("missing.js", "..%2Fapp.py", "index.html", "Main.js", "x.py"):
        assert client.get(f"/console/{name}").status_code == 404, name


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def test_console_static_files_have_no_inline_script_handler_or_style() -> None:
    pages = sorted(STATIC.glob("*.html"))
    assert pages, f"no console page in {STATIC}"
    for page in pages:
        parser = _Tags()
        parser.feed(page.read_text())
        assert parser.script_text == [], f"{page.name}: inline script"
        scripts = [a for t, a in parser.tags if t == "script"]
        assert scripts and all(a.get("src") for a in scripts), f"{page.name}: script without src"
        attrs = [name for _, a in parser.tags for name in a]
        assert not [a for a in attrs if a.startswith("on")], f"{page.name}: on* handler"
        assert "style" not in attrs, f"{page.name}: inline style (blocked by the CSP)"
        assert not re.search(r"(src|href)=\"(https?:)?//", page.read_text()), "remote resource"


def test_console_scripts_never_parse_data_as_html_nor_fetch_elsewhere() -> None:
    scripts = sorted(STATIC.glob("*.js"))
    assert len(scripts) >= 5
    banned = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|https?://(?!www\.w3\.org/2000/svg)"
    )
    for script in scripts:
        found = banned.findall(script.read_text())
        assert found == [], f"{script.name}: {found}"


def test_console_files_are_package_data() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert '"static/console/*"' in pyproject  # installed with the package, not only in a checkout


# -- GET /v1/predictions ----------------------------------------------------------------------


def test_recent_predictions_newest_first_with_ticket_and_labels(
    client: TestClient, keys: Keys
) -> None:
    first = _triage(client, keys, ticket_id="INC-1", channel="email")
    second = _triage(client, keys, ticket_id="INC-2", subject="printer jammed")
    r = client.get("/v1/predictions", params={"limit": 2}, headers=keys["agent"])
    assert r.status_code == 200, r.text
    listed = r.json()["predictions"]
    assert [p["prediction_id"] for p in listed] == [second["prediction_id"], first["prediction_id"]]
    assert listed[1]["channel"] == "email" and listed[0]["subject"] == "printer jammed"
    assert listed[1]["predictions"]["category"] == {
        k: first["predictions"]["category"][k] for k in ("label", "confidence", "action")
    }


def test_recent_predictions_need_the_agent_scope_and_a_sane_limit(
    client: TestClient, keys: Keys
) -> None:
    assert client.get("/v1/predictions", headers=keys["triage"]).status_code == 403
    assert (
        client.get("/v1/predictions", params={"limit": 0}, headers=keys["agent"]).status_code == 422
    )
    assert (
        client.get("/v1/predictions", params={"limit": 101}, headers=keys["agent"]).status_code
        == 422
    )


# -- GET /v1/kb/articles/{id} -----------------------------------------------------------------


def test_kb_article_is_returned_whole(client: TestClient, keys: Keys) -> None:
    r = client.get("/v1/kb/articles/KB-1", headers=keys["agent"])
    assert r.status_code == 200, r.text
    assert r.json()["title"] == ARTICLES[0].title and r.json()["body"] == ARTICLES[0].body


def test_kb_article_unknown_is_404_and_without_an_index_503(
    client: TestClient,
    keys: Keys,
    make_settings: Callable[..., Settings],
    bundle_plain: Path,
) -> None:
    missing = client.get("/v1/kb/articles/KB-404", headers=keys["agent"])
    assert missing.status_code == 404 and "KB-404" in missing.json()["detail"]
    with TestClient(create_app(make_settings(bundle_dir=bundle_plain))) as plain:
        r = plain.get("/v1/kb/articles/KB-1", headers=issue_keys(plain)["agent"])
    assert r.status_code == 503 and "retrieval" in r.json()["detail"]


# -- GET /v1/stats/volume ---------------------------------------------------------------------


def test_volume_counts_todays_tickets_in_the_given_zone(client: TestClient, keys: Keys) -> None:
    _triage(client, keys, ticket_id="INC-V1")
    _triage(client, keys, ticket_id="INC-V2")
    r = client.get("/v1/stats/volume", params={"tz": "Europe/Amsterdam"}, headers=keys["admin"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["time_zone"] == "Europe/Amsterdam"
    assert body["today"]["tickets"] == 2 and body["week"]["tickets"] >= 2
    assert body["today"]["labels"]["category"] == {"Network": 2}
    assert body["daily"][-1]["tickets"] == 2


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../etc/passwd", "Europe"])
def test_volume_unknown_zone_is_a_precise_422(client: TestClient, keys: Keys, zone: str) -> None:
    r = client.get("/v1/stats/volume", params={"tz": zone}, headers=keys["admin"])
    assert r.status_code == 422 and "IANA" in r.json()["detail"]


def test_volume_needs_the_admin_scope(client: TestClient, keys: Keys) -> None:
    assert client.get("/v1/stats/volume", headers=keys["agent"]).status_code == 403


# -- feedback outcome "rated" -----------------------------------------------------------------


def test_feedback_rated_is_stored_without_overriding_the_verdict(
    client: TestClient, keys: Keys
) -> None:
    pid = _triage(client, keys, ticket_id="INC-R")["prediction_id"]
    verdict = {"prediction_id": pid, "outcome": "corrected", "corrections": {"category": "Access"}}
    rating = {
        "prediction_id": pid,
        "outcome": "rated",
        "kb_article_id": "KB-1",
        "kb_helpful": False,
    }
    for body in (verdict, rating):
        assert client.post("/v1/feedback", json=body, headers=keys["agent"]).status_code == 201
    store = state_of(client.app).store
    tickets, _ = labelled_tickets(store)
    assert [(t.ticket_id, t.category) for t in tickets] == [("INC-R", "Access")]
    stats = client.get("/v1/stats", headers=keys["admin"]).json()
    assert stats["feedback_outcomes"]["rated"] == 1 and stats["kb_acceptance"] == 0.0


@pytest.mark.parametrize(
    "extra",
    [{}, {"corrections": {"category": "Access"}, "kb_article_id": "KB-1"}],
    ids=["nothing-rated", "with-corrections"],
)
def test_feedback_rated_needs_a_rating_and_no_corrections(
    client: TestClient, keys: Keys, extra: dict[str, object]
) -> None:
    pid = _triage(client, keys)["prediction_id"]
    body = {"prediction_id": pid, "outcome": "rated", **extra}
    r = client.post("/v1/feedback", json=body, headers=keys["agent"])
    assert r.status_code == 422 and "rated" in r.json()["detail"]


# -- colour contrast (WCAG 2.2 AA) ------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rule(css: str, selector: str, var: dict[str, str]) -> dict[str, str]:
    """The colour declarations of the rule for exactly `selector`, `var(--x)` resolved and
    `#fff` written out, so the pairs below are the stylesheet's, not copies of it."""
    found = re.search(r"(?:^|\n)" + re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert found, f"no rule for {selector} in console.css"
    colours = {}
    for prop, value in re.findall(r"([a-z-]+)\s*:\s*([^;]+);", found.group(1)):
        value = value.strip()
        name = re.fullmatch(r"var\(--([a-z-]+)\)", value)
        value = var[name.group(1)] if name else value
        colours[prop] = "#ffffff" if value == "#fff" else value
    return colours


def test_console_colours_meet_wcag_aa_contrast() -> None:
    """Text 4.5:1 on what it sits on; bars, badges' edges and focus rings 3:1 (non-text)."""
    css = (STATIC / "console.css").read_text()
    var = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    white = "#ffffff"
    alert, note = _rule(css, ".alert", var), _rule(css, ".note", var)
    weak, meter = _rule(css, ".badge.relevance-weak", var), _rule(css, ".meter", var)
    disabled = _rule(css, "button[disabled]", var)
    top_focus = _rule(css, ".tabs a:focus-visible", var)["outline-color"]
    text_pairs = [
        (var["text"], var["card"]),
        (var["text"], var["page"]),
        (var["muted"], var["card"]),
        (var["muted"], var["page"]),
        (var["primary"], var["card"]),  # links, secondary buttons
        (white, var["primary"]),  # primary buttons
        (white, var["primary-dark"]),  # top bar
        (var["primary-dark"], white),  # current tab
        (white, var["auto"]),  # action badges
        (white, var["suggest"]),
        (white, var["review"]),
        (var["suggest"], var["card"]),  # "corrected to", warnings
        (var["error"], var["card"]),
        (var["ok"], var["card"]),
        (alert["color"], alert["background"]),
        (var["text"], note["background"]),
        (white, weak["background"]),  # weak-match badge
        (disabled["color"], disabled["background"]),  # a disabled button's label
    ]
    for fg, bg in text_pairs:
        assert _contrast(fg, bg) >= 4.5, (fg, bg, round(_contrast(fg, bg), 2))
    for fg, bg in [
        (var["focus"], var["card"]),
        (var["focus"], var["page"]),
        (top_focus, var["primary-dark"]),  # focus ring in the top bar
        (_rule(css, ".lang select:focus-visible", var)["outline-color"], var["primary-dark"]),
        (var["primary"], meter["background"]),  # confidence bar on its track
        (var["primary"], var["card"]),  # chart bars
        (var["auto"], var["card"]),
        (var["suggest"], var["card"]),
        (var["review"], var["card"]),
    ]:
        assert _contrast(fg, bg) >= 3.0, (fg, bg, round(_contrast(fg, bg), 2))
