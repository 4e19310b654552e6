"""The admin in a real Chromium: sign in, read the dashboard, take a door out of service and see it
counted; the pages fit a laptop (1366x768) and a tablet (820x1180) and break no CSP rule."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from locker_app.extensions import db
from locker_app.services.occupancy import take_snapshot
from tests.admin_support import PASSWORD, create_admins
from tests.conftest import Api, seed_world
from tests.e2e.support import live_server

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "tablet": {"width": 820, "height": 1180}}
pytestmark = pytest.mark.e2e


@pytest.fixture
def live(make_app):
    app = make_app()
    world = seed_world(app)
    create_admins(app)
    api = Api(app.test_client(), world)
    now = app.extensions["locker.clock"]()
    # A few hours of history for the chart: a snapshot, then a delivery, and so on.
    for hours_ago, size in ((5, "S"), (3, "S"), (2, "M")):
        with app.app_context():
            take_snapshot(db.session(), now - timedelta(hours=hours_ago))
            db.session.commit()
        parcel = api.reserve(size=size).get_json()
        assert api.deposit(parcel["parcel_id"]).status_code == 200
    api.reserve(size="L")
    with app.app_context():
        take_snapshot(db.session(), now)
        db.session.commit()
    with live_server(app) as base:
        yield app, base


def _page(browser, viewport, locale="en-US"):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return context, page, problems


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/admin/")
    assert "/admin/login" in page.url
    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/admin/")


def _count(page, site: str, size: str, kind: str) -> int:
    return int(page.locator(f'[data-site="{site}"] tr[data-size="{size}"] [data-count="{kind}"]').inner_text())


def test_sign_in_read_the_dashboard_disable_a_door_and_see_it_counted(browser, live):
    _app, base = live
    context, page, problems = _page(browser, VIEWPORTS["laptop"])
    _sign_in(page, base)
    assert page.get_by_role("heading", name="Occupancy").is_visible()
    assert [_count(page, "MAPO-001", "S", k) for k in ("free", "reserved", "occupied", "disabled", "total")] \
        == [2, 0, 2, 0, 4]
    assert _count(page, "MAPO-001", "M", "occupied") == 1 and _count(page, "MAPO-001", "L", "reserved") == 1
    assert _count(page, "MAPO-002", "S", "free") == 2
    # Four hourly snapshots, one bar each, the newest with 3 parcels stored and 1 reserved.
    bars = page.locator("section.chart svg > g")
    assert bars.count() == 4
    assert bars.last.locator("title").text_content() \
        == "11/24 14:00: 3 occupied, 1 reserved, 0 out of service, 12 free of 16"

    page.locator('[data-site="MAPO-001"] h2 a').click()
    page.wait_for_url(f"{base}/admin/sites/MAPO-001")
    row = page.locator('tr[data-compartment="A04"]')
    assert row.get_attribute("data-status") == "free"
    row.get_by_placeholder("reason").fill("handle broken")
    row.get_by_role("button", name="Disable").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "MAPO-001 A04 is out of service."
    assert page.locator('tr[data-compartment="A04"]').get_attribute("data-status") == "disabled"
    assert "handle broken" in page.locator('tr[data-compartment="A04"]').inner_text()

    page.get_by_role("link", name="Occupancy").click()
    assert _count(page, "MAPO-001", "S", "disabled") == 1
    assert _count(page, "MAPO-001", "S", "free") == 1

    page.get_by_role("link", name="Events").click()
    assert "compartment.disabled" in page.locator("table.events").inner_text()
    page.get_by_role("link", name="Parcels").click()
    text = page.locator("table.parcels").inner_text()
    assert "+82 10-****-5678" in text and "1234-5678" not in text

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/admin/login")
    assert not problems, problems
    context.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_pages_fit_laptop_and_tablet(browser, live, device, tmp_path: Path):
    _app, base = live
    context, page, problems = _page(browser, VIEWPORTS[device])
    _sign_in(page, base)
    keep = os.environ.get("LOCKER_SCREENSHOT_DIR")
    for name, path in (("dashboard", "/admin/"), ("site", "/admin/sites/MAPO-001"), ("parcels", "/admin/parcels"),
                       ("messages", "/admin/messages"), ("events", "/admin/events")):
        page.goto(base + path)
        # Nothing wider than the screen: wide tables scroll inside their own box, not the page.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a {device}"
        target = Path(keep) if keep else tmp_path
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"admin-{name}-{device}.png"), full_page=True)
    tiles = page.goto(base + "/admin/") and page.locator("article.tile")
    assert tiles.count() == 2 and all(tiles.nth(i).is_visible() for i in range(2))
    assert not [p for p in problems if "Content Security Policy" in p], problems
    assert not problems, problems
    context.close()


def test_the_admin_in_korean_has_no_english_left(browser, live, tmp_path: Path):
    """A browser that asks for Korean gets every admin page in Korean; screenshots for docs/admin.md."""
    from tests.integration.test_admin_korean import untranslated

    _app, base = live
    context, page, problems = _page(browser, VIEWPORTS["laptop"], locale="ko-KR")
    page.goto(f"{base}/admin/")
    page.get_by_label("아이디").fill("ops")
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(f"{base}/admin/")
    assert page.get_by_role("heading", name="이용 현황").is_visible()
    keep = os.environ.get("LOCKER_SCREENSHOT_DIR")
    target = Path(keep) if keep else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    for name, path in (("dashboard", "/admin/"), ("site", "/admin/sites/MAPO-001"), ("parcels", "/admin/parcels")):
        page.goto(base + path)
        assert untranslated(page.content()) == [], name
        page.screenshot(path=str(target / f"admin-{name}-ko.png"), full_page=True)
    row = page.goto(base + "/admin/sites/MAPO-001") and page.locator('tr[data-compartment="A04"]')
    row.get_by_placeholder("사유").fill("손잡이 고장")
    row.get_by_role("button", name="사용 중지").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "MAPO-001 A04 사용을 중지했습니다."
    assert not problems, problems
    context.close()
