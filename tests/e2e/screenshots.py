"""Screenshots of every kiosk state for kiosk/README.md: `.venv/bin/python -m tests.e2e.screenshots`.

Runs the app on a throw-away SQLite database behind a real HTTP server and drives Debian's Chromium at half
the kiosk's 1080×1920 (the layout scales with the width, so the picture is the same, only smaller).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from locker_app import create_app
from locker_app.clock import FrozenClock
from locker_app.extensions import db
from tests.conftest import PEPPER, T0, RecordingSender, _migrate, seed_world
from tests.e2e.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    KIOSK_SIZE,
    browser_missing,
    deliver,
    live_server,
    return_code_for,
    wrong_codes,
)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCALE = 2  # 1080×1920 drawn at 540×960


def _fee_route(route: Any) -> None:
    body = json.loads(route.request.post_data or "{}")
    if "payment_reference" in body:
        route.continue_()
        return
    route.fulfill(status=402, content_type="application/problem+json",
                  body=json.dumps({"type": "payment-required", "title": "A fee is due", "status": 402,
                                   "amount": 3000, "currency": "KRW"}))


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
        with live_server(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            size = {"width": KIOSK_SIZE[0] // SCALE, "height": KIOSK_SIZE[1] // SCALE}

            def fresh(init: str | None = None, *, token: str | None = world.kiosk_token) -> Any:
                context = browser.new_context(viewport=size, locale="ko-KR")
                page = context.new_page()
                if init:
                    page.add_init_script(init)
                page.goto(f"{base}/kiosk/" + (f"?token={token}" if token else ""))
                page.wait_for_selector("#screen-home:not([hidden]), #screen-setup:not([hidden])")
                page.wait_for_timeout(300)  # the site name arrives a moment later
                return page

            def shot(page: Any, name: str, visible: str) -> None:
                page.wait_for_selector(f"{visible}:not([hidden])")
                page.wait_for_timeout(150)
                page.screenshot(path=str(OUT / f"kiosk-{name}.png"))
                print(f"docs/screenshots/kiosk-{name}.png")

            shot(fresh(token=None), "setup", "#screen-setup")

            page = fresh()
            page.get_by_role("button", name="택배 찾기").click()
            shot(page, "enter-ko", "#screen-entry")
            page.keyboard.type("4821")
            page.get_by_role("button", name="English").click()
            shot(page, "enter-en", "#screen-entry")

            page = fresh()
            page.keyboard.type("12345678")
            page.keyboard.press("Enter")
            shot(page, "rejected", "#screen-rejected")

            _, code = deliver(app, world, sms, size="M")
            page = fresh()
            page.keyboard.type(code)
            page.keyboard.press("Enter")
            shot(page, "door-open", "#screen-open")

            parcel_id, _ = deliver(app, world, sms)
            page = fresh()
            page.keyboard.type(return_code_for(app, parcel_id, PEPPER))
            page.keyboard.press("Enter")
            page.get_by_role("button", name="English").click()
            shot(page, "door-open-return-en", "#screen-open")

            page = fresh("window.lockerDevice = { pay: () => new Promise(() => {}) };")
            page.route("**/kiosk/v1/pickup", _fee_route)
            page.keyboard.type("20261124")
            page.keyboard.press("Enter")
            shot(page, "fee-due", "#screen-fee")

            page = fresh("window.lockerDevice = { openDoor: () => Promise.resolve(false) };")
            _, code = deliver(app, world, sms, size="L")
            page.keyboard.type(code)
            page.keyboard.press("Enter")
            shot(page, "door-fault", "#screen-fault")

            with app.app_context():
                db.session.execute(sa.text("UPDATE sites SET require_phone_suffix = true"))
                db.session.commit()
            page = fresh()
            page.keyboard.type("12345678")
            page.keyboard.press("Enter")
            page.keyboard.type("56")
            shot(page, "phone-suffix", "#screen-entry")
            with app.app_context():
                db.session.execute(sa.text("UPDATE sites SET require_phone_suffix = false"))
                db.session.commit()

            clock.advance(hours=1)
            wrong_codes(app, world, 5)
            page = fresh()
            page.keyboard.type("00000000")
            page.keyboard.press("Enter")
            page.wait_for_timeout(1200)
            shot(page, "locked", "#screen-locked")

            with app.app_context():
                db.session.execute(sa.text("UPDATE keypad_states SET locked_at = blocked_until"))
                db.session.commit()
            page = fresh()
            page.keyboard.type("00000000")
            page.keyboard.press("Enter")
            shot(page, "locked-admin", "#screen-locked")
            browser.close()
        with app.app_context():
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
