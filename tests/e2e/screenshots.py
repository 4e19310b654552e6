"""Screenshots of every kiosk state for kiosk/README.md: `.venv/bin/python -m tests.e2e.screenshots`.

Runs the app on a throw-away SQLite database behind a real HTTP server and drives Debian's Chromium at half
the kiosk's 1080×1920 (the layout scales with the width, so the picture is the same, only smaller).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from tests.conftest import PEPPER
from tests.e2e.support import Shots, deliver, enter, return_code_for, take_screenshots, wrong_codes


def _fee_route(route: Any) -> None:
    body = json.loads(route.request.post_data or "{}")
    if "payment_reference" in body:
        route.continue_()
        return
    route.fulfill(status=402, content_type="application/problem+json",
                  body=json.dumps({"type": "payment-required", "title": "A fee is due", "status": 402,
                                   "amount": 3000, "currency": "KRW"}))


def take(shots: Shots) -> None:
    app, world, sms, fresh, shot = shots.app, shots.world, shots.sms, shots.fresh, shots.shot
    shot(fresh(provisioned=False), "setup", "#screen-setup")

    page = fresh()
    page.get_by_role("button", name="택배 찾기").click()
    shot(page, "enter-ko", "#screen-entry")
    page.keyboard.type("4821")
    page.get_by_role("button", name="English").click()
    shot(page, "enter-en", "#screen-entry")

    page = fresh()
    enter(page, "12345678")
    shot(page, "rejected", "#screen-rejected")

    _, code = deliver(app, world, sms, size="M")
    page = fresh()
    enter(page, code)
    shot(page, "door-open", "#screen-open")

    parcel_id, _ = deliver(app, world, sms)
    page = fresh()
    enter(page, return_code_for(app, parcel_id, PEPPER))
    page.get_by_role("button", name="English").click()
    shot(page, "door-open-return-en", "#screen-open")

    page = fresh("window.lockerDevice = { pay: () => new Promise(() => {}) };")
    page.route("**/kiosk/v1/pickup", _fee_route)
    enter(page, "20261124")
    shot(page, "fee-due", "#screen-fee")

    page = fresh("window.lockerDevice = { openDoor: () => Promise.resolve(false) };")
    _, code = deliver(app, world, sms, size="L")
    enter(page, code)
    shot(page, "door-fault", "#screen-fault")

    shots.sql("UPDATE sites SET require_phone_suffix = true")
    page = fresh()
    enter(page, "12345678")
    page.keyboard.type("56")
    shot(page, "phone-suffix", "#screen-entry")
    shots.sql("UPDATE sites SET require_phone_suffix = false")

    shots.clock.advance(hours=1)
    wrong_codes(app, world, 5)
    page = fresh()
    enter(page, "00000000")
    page.wait_for_timeout(1200)
    shot(page, "locked", "#screen-locked")

    shots.sql("UPDATE keypad_states SET locked_at = blocked_until")
    page = fresh()
    enter(page, "00000000")
    shot(page, "locked-admin", "#screen-locked")


if __name__ == "__main__":
    sys.exit(take_screenshots(take))
