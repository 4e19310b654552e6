"""Screenshots of the walk-up screens (start, courier, pickup only, lost code, report, accessibility) for
kiosk/README.md: `.venv/bin/python -m tests.e2e.screenshots_walkup`.

Like tests/e2e/screenshots.py (which takes the pickup side's): a throw-away SQLite database behind a real
HTTP server, Debian's Chromium at half the kiosk's 1080×1920. Only this script's own files are written.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from locker_app import create_app
from locker_app.clock import FrozenClock
from locker_app.extensions import db
from tests.conftest import PEPPER, T0, Api, RecordingSender, _migrate, seed_world
from tests.e2e.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    KIOSK_SIZE,
    SPEECH_STUB,
    browser_missing,
    courier_with_pin,
    live_server,
)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCALE = 2


def main() -> int:
    reason = browser_missing()
    if reason:
        print(f"cannot take screenshots: {reason}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/locker.db"
        _migrate(url)
        sms, clock = RecordingSender(), FrozenClock(T0)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CLOCK": clock, "SMS_SENDER": sms, "SMS_KICK": False,
                          "CODE_PEPPER": PEPPER, "SECRET_KEY": "screenshots"})
        world = seed_world(app)
        pin, _ = courier_with_pin(app)
        api = Api(app.test_client(), world)
        with live_server(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            size = {"width": KIOSK_SIZE[0] // SCALE, "height": KIOSK_SIZE[1] // SCALE}

            def fresh(*, low: bool = False, voice: bool = False) -> Any:
                context = browser.new_context(viewport=size, locale="ko-KR")
                page = context.new_page()
                if voice:
                    page.add_init_script(SPEECH_STUB)
                if low:
                    page.add_init_script("localStorage.setItem('locker.kiosk.low', '1');")
                page.goto(f"{base}/kiosk/?token={world.kiosk_token}")
                page.wait_for_selector("#screen-home:not([hidden])")
                page.wait_for_timeout(300)  # the site name arrives a moment later
                return page

            def shot(page: Any, name: str, visible: str) -> None:
                page.wait_for_selector(f"{visible}:not([hidden])")
                page.wait_for_timeout(150)
                page.screenshot(path=str(OUT / f"kiosk-{name}.png"))
                print(f"docs/screenshots/kiosk-{name}.png")

            page = fresh(voice=True)
            page.get_by_role("button", name="음성 안내").click()
            shot(page, "home-ko", "#screen-home")
            page.get_by_role("button", name="English").click()
            shot(page, "home-en", "#screen-home")

            shot(fresh(low=True), "home-low", "#screen-home")

            # The courier's loop, with the small size full so the screen offers the next one up.
            for _ in range(4):
                api.reserve(size="S")
            page = fresh()
            page.get_by_role("button", name="택배 보관").click()
            page.keyboard.type("0109876")
            shot(page, "courier-signin", "#screen-form")
            page.keyboard.type("5432")
            page.keyboard.press("Enter")
            page.keyboard.type("000000" if pin != "000000" else "111111")
            page.keyboard.press("Enter")
            shot(page, "courier-pin-rejected", "#screen-notice")
            page.get_by_role("button", name="다시 입력").click()
            page.keyboard.type(pin[:4])
            shot(page, "courier-pin", "#screen-form")
            page.keyboard.type(pin[4:])
            page.keyboard.press("Enter")
            page.wait_for_selector("#form-title:text('받는 분 휴대폰 번호를 입력하세요')")
            page.keyboard.type("01022223333")
            shot(page, "courier-recipient", "#screen-form")
            page.keyboard.press("Enter")
            page.get_by_role("button", name="English").click()
            page.keyboard.type("CJ6001234567")
            shot(page, "courier-tracking-en", "#screen-form")
            page.get_by_role("button", name="한국어").click()
            page.keyboard.press("Enter")
            shot(page, "courier-size", "#screen-size")
            page.locator("button[data-size=M]").click()
            shot(page, "courier-door", "#screen-deposit")
            page.get_by_role("button", name="문을 닫았어요").click()
            shot(page, "courier-stored", "#screen-notice")
            page.get_by_role("button", name="마치기").click()

            # Pickup only: every compartment taken.
            for _ in range(5):
                api.reserve(size="S")
            page = fresh()
            shot(page, "pickup-only", "#screen-home")
            page.get_by_role("button", name="택배 보관").click()
            shot(page, "pickup-only-nearby", "#screen-notice")

            page = fresh()
            page.get_by_role("button", name="인증번호를 못 받았어요").click()
            page.keyboard.type("01012345678")
            shot(page, "lost-code", "#screen-form")
            page.keyboard.press("Enter")
            shot(page, "lost-code-sent", "#screen-notice")

            page = fresh()
            page.get_by_role("button", name="English").click()
            page.get_by_role("button", name="Report a problem").click()
            shot(page, "report-en", "#screen-report")
            browser.close()
        with app.app_context():
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
