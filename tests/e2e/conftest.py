"""Browser fixtures: Debian's Chromium through Playwright against the app behind a real HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import STRICT, seed_world
from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, browser_missing, live_server


@pytest.fixture
def backend() -> str:
    """The browser checks the page, not the database: SQLite is enough (the API tests run on both)."""
    return "sqlite"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = browser_missing()
    if reason:
        if STRICT:
            pytest.fail(f"browser tests must run here: {reason}")
        print(f"\nskipping browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live(make_app):
    app = make_app()
    world = seed_world(app)
    with live_server(app) as base:
        yield app, world, base


@pytest.fixture
def kiosk(browser, live):
    """A fresh kiosk browser (empty local storage), failing the test on any console error such as a CSP block."""
    _, world, base = live
    context = browser.new_context(viewport={"width": 540, "height": 960}, locale="ko-KR")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    class Kiosk:
        def __init__(self) -> None:
            self.page = page
            self.context = context
            self.base = base
            self.errors = errors

        def provision(self, token: str | None = None, *, clock: bool = False) -> Any:
            if clock:
                page.clock.install()
            page.goto(f"{base}/kiosk/?token={token or world.kiosk_token}")
            page.locator("#screen-home").wait_for()
            return page

    yield Kiosk()
    context.close()
    # 4xx answers are expected in these tests; anything else in the console is a bug.
    unexpected = [e for e in errors if "status of 4" not in e]
    assert not unexpected, unexpected
