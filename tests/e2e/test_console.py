"""The agent console in a real headless Chromium against a real `triage serve` on loopback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from browser import browser_context, screenshot
from e2e_server import Server, start_server
from insight_helpers import background_records, unsure_records
from service_helpers import ARTICLES, VPN_TICKET

from triage.schema import Ticket
from triage.store.keys import create_key
from triage.store.records import FeedbackRecord, PredictionRecord
from triage.store.sql import open_store

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
INJECTION = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, e2e_bundle_v1: Path) -> Iterator[Server]:
    """One server for the whole module (each test makes its own predictions)."""
    s = start_server(tmp_path_factory.mktemp("console-server"), e2e_bundle_v1)
    yield s
    s.process.terminate()
    try:
        s.process.wait(15)
    except subprocess.TimeoutExpired:
        s.kill()


@contextmanager
def _tab(profile: Path, locale: str) -> Iterator[Any]:
    """A tab in a fresh headless Chromium (its own profile) that fails on any script error."""
    with browser_context(profile, viewport=DESKTOP, locale=locale) as context:
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        yield tab
        assert errors == [], f"script errors on the page: {errors}"


@pytest.fixture()
def page(tmp_path: Path) -> Iterator[Any]:
    """An English tab; a browser per test, as the browser language is fixed at launch."""
    with _tab(tmp_path / "profile", "en-US") as tab:
        yield tab


def _stored(server: Server) -> list[FeedbackRecord]:
    store = open_store(server.database_url)
    try:
        return list(store.iter_feedback())
    finally:
        store.close()


def _key_with(server: Server, scopes: list[str]) -> str:
    store = open_store(server.database_url)
    try:
        return create_key(store, scopes, name="console test")[0]
    finally:
        store.close()


def _open(page: Any, server: Server, key: str | None = None, view: str = "") -> None:
    """Load the console and enter a key (the dev key, admin scope, by default)."""
    page.goto(f"{server.url}/console/{view}")
    page.fill("#api-key", key or server.dev_key)
    page.press("#api-key", "Enter")
    page.wait_for_selector("#key-status[data-kind]")


def _triage(page: Any, subject: str, body: str) -> None:
    page.fill("#subject", subject)
    page.fill("#body", body)
    page.click("#submit")
    page.wait_for_selector("#targets article")


def test_console_triage_shows_three_predictions_and_similar_tickets(
    page: Any, server: Server
) -> None:
    _open(page, server)
    _triage(page, VPN_TICKET["subject"], VPN_TICKET["body"])
    cards = page.locator("#targets article")
    assert [cards.nth(i).get_attribute("data-target") for i in range(3)] == [
        "category",
        "priority",
        "support_line",
    ]
    assert cards.nth(0).locator(".label").inner_text() == "Network"
    assert cards.nth(2).locator(".label").inner_text() == "2nd line"
    assert page.locator("#similar li.hit").count() >= 1
    assert "most similar solved tickets" in cards.nth(0).locator(".evidence").inner_text()
    screenshot(page, "console-agent-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "console-agent-phone")


def test_console_correction_and_article_rating_are_stored(page: Any, server: Server) -> None:
    _open(page, server)
    _triage(page, VPN_TICKET["subject"], VPN_TICKET["body"])
    prediction_id = page.locator("#result-meta").inner_text().split()[1]
    page.select_option("#correct-category", "Database")
    page.locator("[data-target=category] .correct button").click()
    page.wait_for_selector("[data-target=category] .status[data-kind=ok]")
    assert "Corrected to Database" in page.locator("[data-target=category]").inner_text()
    page.locator("#kb li.hit").first.get_by_role("button", name="Not relevant").click()
    page.wait_for_selector("#kb li.hit .status[data-kind=ok]")
    title = page.locator("#kb button.link").first
    title.click()  # the whole article, in a dialog
    page.wait_for_selector("#article-dialog[open] .article-text")
    assert page.locator("#article-body").inner_text() == ARTICLES[0].body
    page.keyboard.press("Escape")
    assert page.locator("#article-dialog").get_attribute("open") is None
    assert title.evaluate("node => node === document.activeElement")  # focus comes back

    mine = [f for f in _stored(server) if f.prediction_id == prediction_id]
    assert [(f.outcome, f.corrections) for f in mine] == [
        ("corrected", {"category": "Database"}),
        ("rated", {}),
    ]
    assert mine[1].kb_article_id == "KB-1" and mine[1].kb_helpful is False


def test_console_html_in_ticket_and_solution_renders_as_text(page: Any, server: Server) -> None:
    solved = {
        "ticket_id": "INC-INJECT",
        "subject": f"vpn router dns outage {INJECTION}",
        "body": "vpn router dns outage for everyone",
        "solution": f"restart the router {INJECTION}",
        "category": "Network",
        "support_line": 2,
    }
    r = httpx.post(
        f"{server.url}/v1/tickets/resolved",
        json={"ticket": solved},
        headers={"X-API-Key": server.dev_key},
        timeout=30,
    )
    assert r.status_code == 201 and r.json()["searchable"], r.text
    _open(page, server)
    _triage(page, f"vpn router dns outage {INJECTION}", f"everyone {INJECTION}")
    hit = page.locator("#similar li.hit", has_text="INC-INJECT")
    hit.locator("summary").click()
    assert INJECTION in page.locator("#result-ticket").inner_text()
    assert INJECTION in hit.inner_text()  # subject and the expanded solution, as text
    page.click("#recent summary")
    page.click("#recent-load")
    page.wait_for_selector("#recent-list li")
    assert INJECTION in page.locator("#recent-list li").first.inner_text()
    assert page.locator("img").count() == 0
    assert page.locator("main script").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_console_missing_wrong_and_underscoped_keys_say_what_to_do(
    page: Any, server: Server
) -> None:
    page.goto(f"{server.url}/console/")
    page.fill("#subject", "printer broken")
    page.keyboard.press("Control+Enter")
    assert "Enter an API key first" in page.locator("#alert").inner_text()
    assert page.input_value("#subject") == "printer broken"  # nothing typed is lost

    page.fill("#api-key", "trk_000000000000_wrong")
    page.press("#api-key", "Enter")
    page.wait_for_selector("#key-status[data-kind=error]")
    assert "was not accepted" in page.locator("#alert").inner_text()
    assert page.evaluate("sessionStorage.length") == 0  # a refused key is not kept

    page.fill("#api-key", _key_with(server, ["triage"]))
    page.press("#api-key", "Enter")
    page.wait_for_selector("#key-status[data-kind=error]")
    alert = page.locator("#alert").inner_text()
    assert "may not do that" in alert and "`agent`" in alert


def test_console_dutch_interface_from_browser_language_and_switch(
    tmp_path: Path, server: Server
) -> None:
    with _tab(tmp_path / "nl-profile", "nl-NL") as page:
        _open(page, server)
        assert page.get_attribute("html", "lang") == "nl"
        assert page.locator("label[for=subject]").inner_text() == "Onderwerp"
        _triage(page, VPN_TICKET["subject"], VPN_TICKET["body"])
        card = page.locator("[data-target=support_line]")
        assert card.locator("h3").inner_text().lower() == "behandellijn"
        assert card.locator(".label").inner_text() == "2e lijn"
        assert "meest vergelijkbare opgeloste meldingen" in card.inner_text()
        screenshot(page, "console-agent-desktop-nl")
        page.select_option("#lang", "en")
        assert page.locator("label[for=subject]").inner_text() == "Subject"
        assert card.locator(".label").inner_text() == "2nd line"  # results redrawn in English
        page.reload()
        assert page.get_attribute("html", "lang") == "en"  # the switch is remembered


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.tagName"))


def test_console_keyboard_only_tab_order_shortcut_and_focus(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/console/")
    order = []
    for _ in range(9):
        page.keyboard.press("Tab")
        order.append(_focused(page))
    assert order == [
        "A",  # skip link
        "tab-agent",
        "tab-lead",
        "lang",
        "api-key",
        "BUTTON",  # use key
        "key-forget",
        "subject",
        "body",
    ]
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    for _ in range(4):  # back to the key field
        page.keyboard.press("Shift+Tab")
    assert _focused(page) == "api-key"
    page.keyboard.type(server.dev_key)
    page.keyboard.press("Enter")
    page.wait_for_selector("#key-status[data-kind=ok]")
    page.focus("#subject")
    page.keyboard.type("vpn router down")
    page.keyboard.press("Tab")
    page.keyboard.type("outage for everyone, dns broken")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#targets article")
    assert _focused(page) == "result-heading"  # focus moves to the answer
    for _ in range(20):  # onwards by keyboard to the first correction, then send it
        page.keyboard.press("Tab")
        if _focused(page) == "correct-category":
            break
    assert _focused(page) == "correct-category"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-target=category] .status[data-kind=ok]")


def test_console_lead_view_draws_volume_actions_precision_and_kb(page: Any, server: Server) -> None:
    headers = {"X-API-Key": server.dev_key}
    answer = httpx.post(
        f"{server.url}/v1/triage",
        json={"ticket": VPN_TICKET | {"ticket_id": "INC-LEAD"}},
        headers=headers,
        timeout=30,
    ).json()
    closed = VPN_TICKET | {"ticket_id": "INC-LEAD", "category": "Network", "support_line": 2}
    httpx.post(f"{server.url}/v1/tickets/resolved", json={"ticket": closed}, headers=headers)
    rating = {
        "prediction_id": answer["prediction_id"],
        "outcome": "rated",
        "kb_article_id": "KB-1",
        "kb_helpful": True,
    }
    assert httpx.post(f"{server.url}/v1/feedback", json=rating, headers=headers).is_success

    _open(page, server, view="#lead")
    page.wait_for_selector("#volume svg")
    page.wait_for_selector("#precision svg")
    assert "Network" in page.locator("#volume").inner_text()
    assert page.locator("#actions .stack-row").count() == 3
    assert "Category" in page.locator("#precision").inner_text()
    assert "%" in page.locator("#kbaccept .big").inner_text()
    insights = page.locator("#insights").inner_text()  # the insight routes answer (issue 13)
    assert "tickets" in insights and "too few to cluster" in insights
    screenshot(page, "console-lead-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "console-lead-phone")


def _with_fields(route: Any, change: Any) -> None:
    """Let the real server answer, then add fields to its JSON (what other issues are adding)."""
    response = route.fetch()
    body = response.json()
    change(body)
    route.fulfill(response=response, json=body)


def test_console_lead_view_shows_the_autos_worth_from_the_real_stats(
    page: Any, server: Server
) -> None:
    """Two auto-applied answers in the server's database (the tiny bundle never auto-applies),
    closed through the API: category right, support line wrong. The lead view shows each
    target's worth exactly as `/v1/stats` computes it, the support line's marked negative."""
    ticket = Ticket(ticket_id="INC-WORTH", subject="vpn router down", body="outage, dns broken")
    labels = {
        "category": {"label": "Network", "confidence": 0.97, "action": "auto"},
        "support_line": {"label": "1", "confidence": 0.95, "action": "auto"},
    }
    store = open_store(server.database_url)
    try:
        store.record_predictions([PredictionRecord("pred-worth", ticket, "e2e-v1", labels)])
    finally:
        store.close()
    closed = {**VPN_TICKET, "ticket_id": "INC-WORTH", "category": "Network", "support_line": 2}
    headers = {"X-API-Key": server.dev_key}
    httpx.post(f"{server.url}/v1/tickets/resolved", json={"ticket": closed}, headers=headers)
    stats = httpx.get(f"{server.url}/v1/stats", headers=headers, timeout=30).json()
    worth = {
        tg: stats["targets"][tg]["auto_worth_per_judged"] for tg in ("category", "support_line")
    }
    assert worth["category"] > 0 > worth["support_line"]

    _open(page, server, view="#lead")
    page.wait_for_selector("#precision li[data-worth]")
    lines = page.locator("#precision li[data-worth]")
    assert lines.count() == 2  # priority: no auto judged, no worth line
    for line, tg in zip(lines.all(), ("category", "support_line"), strict=True):
        shown = f"{worth[tg]:+.2f}".rstrip("0").rstrip(".")
        assert f"automatic worth {shown} per judged ticket" in line.inner_text()
    assert lines.nth(1).get_attribute("data-worth") == "negative"
    assert "1 wrong; one wrong counts as 10 right ones lost" in lines.nth(1).inner_text()
    colour = "el => getComputedStyle(el).color"
    assert lines.nth(1).evaluate(colour) != lines.nth(0).evaluate(colour)


def test_console_lead_view_shows_what_wrong_autos_cost(page: Any, server: Server) -> None:
    """The worth line's wording, from `/v1/stats` fields set for a fixed case: three support-line
    autos, one wrong, at a cost ratio of 10."""

    def stats_fields(body: dict[str, Any]) -> None:
        body["cost_ratio"] = 10.0
        body["targets"]["support_line"] |= {
            "judged": 4,
            "precision": 0.5,
            "auto_judged": 3,
            "auto_precision": 2 / 3,
            "auto_wrong": 1,
            "auto_worth_per_judged": -2.0,
        }

    page.route(
        lambda url: urlparse(url).path.endswith("/v1/stats"),
        lambda route: _with_fields(route, stats_fields),
    )
    _open(page, server, view="#lead")
    line = page.locator("#precision li[data-worth=negative]")
    line.wait_for()
    assert line.inner_text() == (
        "Support line: automatic worth -2 per judged ticket "
        "(1 wrong; one wrong counts as 10 right ones lost)"
    )
    colour = "el => getComputedStyle(el).color"
    other = page.locator("#precision li:not([data-worth])").first
    assert line.evaluate(colour) != other.evaluate(colour)  # marked, not only worded


GIBBERISH = {"subject": "qzx vbnm", "body": "plokijuh wxq zzrt"}
"""No word of it occurs in the training tickets: every target says why it is not automatic."""


def _usual_traffic(server: Server, n: int = 260) -> None:
    """Triaged tickets of the last days, each about something else, and 16 about one thing the
    model was unsure of, written into the server's store (the history an emerging incident is
    measured against, and a candidate new category; see insight_helpers)."""
    now = datetime.now(UTC)
    records = background_records(n, "e2e-v1", now) + unsure_records(16, "e2e-v1", now)
    store = open_store(server.database_url)
    try:
        store.record_predictions(records)
    finally:
        store.close()


@pytest.fixture()
def insight_server(tmp_path: Path, e2e_bundle_v1: Path) -> Iterator[Server]:
    """A server of its own with the usual traffic and a burst of eight alike tickets (their
    subject carries markup) just triaged; the hashing embedder for insights, so incidents and
    clusters need no downloaded model."""
    folder = tmp_path / "insight-server"
    folder.mkdir()
    s = start_server(folder, e2e_bundle_v1, env={"TRIAGE_INSIGHT_EMBEDDER": "hashing-64"})
    try:
        _usual_traffic(s)
        for i in range(8):
            ticket = {
                "ticket_id": f"OUT-{i}",
                "subject": f"VPN {INJECTION}",
                "body": "GlobalProtect gateway unreachable from the Stadhuis",
            }
            r = httpx.post(
                f"{s.url}/v1/triage",
                json={"ticket": ticket},
                headers={"X-API-Key": s.dev_key},
                timeout=60,
            )
            assert r.status_code == 200, r.text
        yield s
    finally:
        s.process.terminate()
        try:
            s.process.wait(15)
        except subprocess.TimeoutExpired:
            s.kill()


def _triage_answer(page: Any, ticket: dict[str, str]) -> dict[str, Any]:
    """Triage `ticket` in the console; the server's own answer, as the page received it."""
    with page.expect_response(lambda r: urlparse(r.url).path.endswith("/v1/triage")) as info:
        page.fill("#subject", ticket["subject"])
        page.fill("#body", ticket["body"])
        page.click("#submit")
    answer: dict[str, Any] = info.value.json()
    page.wait_for_function(
        "id => document.querySelector('#result-meta').textContent.includes(id)",
        arg=answer["prediction_id"],
    )
    return answer


def test_console_shows_reason_relevance_and_insights_from_the_real_api(
    page: Any, insight_server: Server
) -> None:
    """Nothing replaced: the server's own `reason` per target (an unfamiliar ticket), the
    `relevance` of every hit, and its KPIs, clusters, KB gaps and a real emerging incident
    (named after a subject with markup): all shown, as text."""
    server = insight_server
    answers: dict[str, Any] = {}
    page.on(
        "response",
        lambda r: (
            answers.__setitem__(urlparse(r.url).path, r)
            if "/v1/insights/" in r.url or r.url.endswith("/v1/incidents/emerging")
            else None
        ),
    )
    _open(page, server)

    predictions = _triage_answer(page, GIBBERISH)["predictions"]
    reasons = {target: p["reason"] for target, p in predictions.items() if p["action"] != "auto"}
    assert set(reasons) == {"category", "priority", "support_line"}  # none is automatic
    assert {p["reason_code"] for p in predictions.values()} == {"unfamiliar"}
    for target, reason in reasons.items():
        card = page.locator(f"[data-target={target}]")
        assert card.locator(".reason").inner_text() == f"Why: {reason}"
        action = {"suggest": "Suggestion", "review": "Needs review"}[predictions[target]["action"]]
        assert action in card.locator(".action-line").inner_text()

    answer = _triage_answer(page, VPN_TICKET)
    badge = {"strong": "strong match", "weak": "weak match"}
    for section, hits in (("#similar", answer["similar"]), ("#kb", answer["kb"])):
        assert hits, section  # the tiny bundle finds both for the VPN ticket
        shown = page.locator(f"{section} li.hit .badge")
        assert shown.all_inner_texts() == [badge[h["relevance"]] for h in hits]

    page.click("#tab-lead")
    page.wait_for_selector("#insights section.insight >> nth=3")
    sections = page.locator("#insights section.insight")
    titles = [sections.nth(i).locator("h4").inner_text() for i in range(4)]
    assert titles == ["KPIs", "Emerging incidents", "Recurring issues", "KB gaps"]
    texts = [sections.nth(i).inner_text() for i in range(4)]

    kpi = answers["/v1/insights/kpi"].json()
    assert kpi["tickets"] == 286 and kpi["kpis"]["volume"]["tickets"] == 286  # 260 + 16 + 8 + 2
    tile = sections.nth(0).locator(".tile", has=page.locator("dt", has_text="tickets"))
    assert tile.locator("dd").inner_text() == "286"

    emerging = answers["/v1/incidents/emerging"].json()
    (incident,) = emerging["incidents"]  # the burst, from the real monitor
    assert incident["ticket_ids"] == [f"OUT-{i}" for i in range(8)] and incident["tickets"] == 8
    assert incident["name"] == f"VPN {INJECTION}"
    assert f"VPN {INJECTION}" in texts[1] and incident["incident_id"] in texts[1]
    assert sections.nth(1).locator("svg").count() == 1  # tickets per incident, as a bar chart

    clusters = answers["/v1/insights/clusters"].json()
    assert clusters["available"] is True and clusters["items"]
    assert all(c["name"] in texts[2] for c in clusters["items"][:10])
    candidates = clusters["new_categories"]["items"]  # the unsure tickets, and only them
    assert [c["representative"]["ticket_id"][:4] for c in candidates] == ["NEW-"], candidates
    # the hashing embedder may join the burst to them; the background (stored `suggest` without
    # a reason, as before reason codes) is never unsure
    assert candidates[0]["unsure_share"] >= 0.5 and candidates[0]["tickets"] >= 16
    others = [c for c in clusters["items"] if c["cluster"] != candidates[0]["cluster"]]
    assert others and {c["unsure_share"] for c in others} == {0.0}
    listed = sections.nth(2).locator("h5", has_text="new_categories").locator("xpath=..")
    assert candidates[0]["name"] in listed.inner_text() and "unsure_share" in texts[2]
    gaps = answers["/v1/insights/kb-gaps"].json()
    assert gaps["available"] is False and gaps["reason"] in texts[3]  # no KB file given
    assert page.locator("img").count() == 0 and page.evaluate("window.__pwned") is None
