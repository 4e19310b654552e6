"""The public directory in a real Chromium: the list with its copy buttons works with no network to the map's
tile server (the map steps aside), in Korean and English; screenshots for the README."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from locker_app.extensions import db
from locker_app.models import Site
from tests.conftest import seed_world
from tests.e2e.support import live_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def live(make_app):
    app = make_app()
    seed_world(app)
    with app.app_context():
        for code, address in (("MAPO-001", "서울특별시 마포구 월드컵로 212 마포구청 1층"),
                              ("MAPO-002", "서울특별시 마포구 포은로 49 망원1동 주민센터 앞")):
            db.session.query(Site).filter_by(code=code).one().address = address
        db.session.commit()
    with live_server(app) as base:
        yield base


@pytest.mark.parametrize("locale", ["ko-KR", "en-US"])
def test_the_directory_lists_sites_and_copies_an_address_without_a_map_server(browser, live, locale, tmp_path):
    context = browser.new_context(viewport={"width": 420, "height": 900}, locale=locale)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    tiles: list[str] = []

    def only_this_machine(route):
        # Nothing leaves the machine: tile requests fail as they would on a network without the tile server.
        if route.request.url.startswith(live):
            route.continue_()
        else:
            tiles.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_machine)
    page.goto(f"{live}/sites/")
    items = page.locator("li.site")
    assert items.count() == 2
    first = items.first
    copy = first.locator("button.copy")
    copy.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == first.locator(".address .value").inner_text()
    assert copy.inner_text() == ("복사했습니다" if locale == "ko-KR" else "Copied")
    # The map tried its tiles, got none, and stepped aside; the list stays.
    assert tiles and all("tile.openstreetmap.org" in url for url in tiles)
    page.wait_for_function("document.getElementById('map').hidden === true")
    assert items.first.is_visible()
    page.fill("#q", "포은로")
    page.locator("form.search button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("li.site").count() == 1
    assert not errors, errors
    keep = os.environ.get("LOCKER_SCREENSHOT_DIR")
    target = Path(keep) if keep else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live}/sites/")
    page.screenshot(path=str(target / f"directory-{locale[:2]}.png"), full_page=True)
    context.close()
