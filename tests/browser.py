"""Headless Chromium for browser tests: Debian's `chromium` driven by Playwright, offline.

Playwright never downloads a browser here: it starts the system Chromium (`TRIAGE_CHROMIUM`,
default /usr/bin/chromium) with the flags these machines need and a fresh profile folder.
`.ci/run` installs Chromium; elsewhere the browser tests skip with a message saying how.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SCREENSHOTS = Path(__file__).parent / "artifacts" / "screenshots"
"""Screenshots kept as test artifacts (git-ignored)."""


def chromium_path() -> Path:
    return Path(os.environ.get("TRIAGE_CHROMIUM", "/usr/bin/chromium"))


def require_chromium() -> Path:
    """The Chromium binary, or skip the test with the command that installs it."""
    path = chromium_path()
    if not (path.is_file() or shutil.which(str(path))):
        pytest.skip(
            f"no Chromium at {path}: `apt-get install -y chromium` (what .ci/run does) "
            "or set TRIAGE_CHROMIUM"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed: `make test` installs the dev extra")
    return path


@contextmanager
def browser_context(profile_dir: Path, **context_options: Any) -> Iterator[Any]:
    """A Playwright `BrowserContext` in a fresh headless Chromium with profile `profile_dir`.

    `context_options` go to `launch_persistent_context` (viewport, locale, ...). Skips the test
    when Chromium is missing.
    """
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    profile_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(executable),
            headless=True,
            args=list(CHROMIUM_FLAGS),
            **context_options,
        )
        try:
            yield context
        finally:
            context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG of `page` under `SCREENSHOTS` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
