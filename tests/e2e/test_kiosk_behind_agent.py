"""The touchscreen page served by the locker agent, in Debian's Chromium: no token in the browser, the
agent's doors on screen, one fault report (the agent's), and an offline service shown, not waited on."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from locker_app.extensions import db
from tests.agent.support import start_agent, start_sim, unlocks, wait_for
from tests.e2e.support import deliver


@pytest.fixture
def behind_agent(browser, live) -> Iterator[Any]:
    _, world, base = live
    sim, bus = start_sim()
    agent = start_agent(base, world.kiosk_token, bus)
    context = browser.new_context(viewport={"width": 540, "height": 960}, locale="ko-KR")
    page = context.new_page()
    errors: list[str] = []
    sent_auth: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: sent_auth.append(request.url)
            if "authorization" in request.headers else None)
    yield page, agent, sim, errors, sent_auth
    context.close()
    agent.stop()
    sim.stop()
    assert not errors, errors


def test_a_code_typed_at_the_agents_page_opens_the_board_door(behind_agent, live, sms):
    page, agent, sim, _, sent_auth = behind_agent
    app, world, _ = live
    _, code = deliver(app, world, sms)
    page.goto(agent.url)  # no ?token=: the agent holds it
    page.locator("#screen-entry").wait_for()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#door-label")).to_have_text("A01")
    assert unlocks(sim) == ["02 03 31 03 39"]
    assert sent_auth == [], "the page sent a token"
    assert page.evaluate("window.localStorage.getItem('locker.kiosk.token')") is None


def test_a_jammed_lock_shows_the_fault_screen_and_is_reported_once(behind_agent, live, sms):
    page, agent, sim, _, _ = behind_agent
    app, world, _ = live
    _, code = deliver(app, world, sms)
    sim.control("/boards/0/locks/3/jam", {})
    page.goto(agent.url)
    page.locator("#screen-entry").wait_for()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#screen-fault")).to_be_visible(timeout=10_000)

    def faults() -> int:
        with app.app_context():
            count = db.session.scalar(sa.text("SELECT count(*) FROM events WHERE action = 'door.fault'"))
            db.session.rollback()
        return int(count or 0)

    assert wait_for(faults)
    page.wait_for_timeout(500)
    assert faults() == 1


def test_with_the_service_unreachable_the_page_says_so_at_once(browser, live):
    _, world, _ = live
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    sim, bus = start_sim()
    agent = start_agent(dead, world.kiosk_token, bus)
    context = browser.new_context(viewport={"width": 540, "height": 960}, locale="ko-KR")
    try:
        page = context.new_page()
        page.goto(agent.url)
        page.locator("#screen-entry").wait_for()
        page.keyboard.type("12345678")
        page.keyboard.press("Enter")
        expect(page.locator("#screen-error")).to_be_visible(timeout=5_000)
    finally:
        context.close()
        agent.stop()
        sim.stop()
