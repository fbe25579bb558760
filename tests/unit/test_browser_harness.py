"""The browser harness starts the system Chromium offline and renders a local page."""

from __future__ import annotations

from pathlib import Path

from browser import browser_context, screenshot


def test_browser_harness_renders_and_escapes_a_local_page(tmp_path: Path) -> None:
    page_file = tmp_path / "page.html"
    page_file.write_text("<main><h1 id='t'>triage</h1><p id='p'></p></main>")
    with browser_context(tmp_path / "profile") as context:
        page = context.new_page()
        page.goto(page_file.as_uri())
        page.evaluate("document.getElementById('p').textContent = '<b>not bold</b>'")
        assert page.inner_text("#t") == "triage"
        assert page.inner_text("#p") == "<b>not bold</b>"
        assert page.locator("#p b").count() == 0
        shot = screenshot(page, "harness")
    assert shot.stat().st_size > 0
