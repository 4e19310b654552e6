"""Screenshots of the walk-up screens (start, courier, pickup only, lost code, report, accessibility) for
kiosk/README.md: `.venv/bin/python -m tests.e2e.screenshots_walkup`.

Like tests/e2e/screenshots.py (which takes the pickup side's): a throw-away SQLite database behind a real
HTTP server, Debian's Chromium at half the kiosk's 1080×1920. Only this script's own files are written.
"""

from __future__ import annotations

import sys

from tests.conftest import Api
from tests.e2e.support import SPEECH_STUB, Shots, courier_with_pin, enter, take_screenshots

LOW_LAYOUT = "localStorage.setItem('locker.kiosk.low', '1');"


def take(shots: Shots) -> None:
    fresh, shot = shots.fresh, shots.shot
    pin, _ = courier_with_pin(shots.app)
    api = Api(shots.app.test_client(), shots.world)

    page = fresh(SPEECH_STUB)
    page.get_by_role("button", name="음성 안내").click()
    shot(page, "home-ko", "#screen-home")
    page.get_by_role("button", name="English").click()
    shot(page, "home-en", "#screen-home")

    shot(fresh(LOW_LAYOUT), "home-low", "#screen-home")

    # The courier's loop, with the small size full so the screen offers the next one up.
    for _ in range(4):
        api.reserve(size="S")
    page = fresh()
    page.get_by_role("button", name="택배 보관").click()
    page.keyboard.type("0109876")
    shot(page, "courier-signin", "#screen-form")
    enter(page, "5432")
    enter(page, "000000" if pin != "000000" else "111111")
    shot(page, "courier-pin-rejected", "#screen-notice")
    page.get_by_role("button", name="다시 입력").click()
    page.keyboard.type(pin[:4])
    shot(page, "courier-pin", "#screen-form")
    enter(page, pin[4:])
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


if __name__ == "__main__":
    sys.exit(take_screenshots(take))
