"""Contract-shaped answers for the walk-up endpoints (design.md "Courier at the touchscreen"), for the
screenshot script only, while the service does not have them yet (they are built on branch walkup-api).
The browser tests never use this: they run against the real service or say why they cannot."""

from __future__ import annotations

import json
from typing import Any

WALKUP_RULES = {"/kiosk/v1/courier/session", "/kiosk/v1/courier/deposits", "/kiosk/v1/codes/resend",
                "/kiosk/v1/reports"}


def missing(app: Any) -> set[str]:
    return WALKUP_RULES - {rule.rule for rule in app.url_map.iter_rules()}


def stage(page: Any, pin: str, *, free: dict[str, int], pickup_only: bool = False) -> None:
    """Answer as the contract says: the PIN `pin` signs in, deposits get A05, the rest 202."""

    def answer(route: Any, status: int, body: Any) -> None:
        route.fulfill(status=status, content_type="application/json" if status < 400 else "application/problem+json",
                      body=json.dumps(body))

    def site(route: Any) -> None:
        real = route.fetch().json()
        alternatives = [{"site": "MAPO-002", "name": "망원동 안심택배함", "free": 6, "distance_m": 1012}]
        answer(route, 200, {**real, "free": free, "pickup_only": pickup_only,
                            **({"alternatives": alternatives} if pickup_only else {})})

    def session(route: Any) -> None:
        if route.request.method == "DELETE":
            return answer(route, 200, {})
        if json.loads(route.request.post_data or "{}").get("pin") != pin:
            return answer(route, 403, {"type": "courier-rejected", "title": "Sign-in refused", "status": 403})
        answer(route, 201, {"session": "staged", "expires_at": "2026-11-24T09:05:00Z",
                            "courier": {"name": "Park", "carrier": "Demo Express"}})

    page.route("**/kiosk/v1/site", site)
    page.route("**/kiosk/v1/courier/session", session)
    page.route("**/kiosk/v1/courier/deposits", lambda r: answer(
        r, 201, {"parcel_id": "staged", "compartment": "A05", "size": "M", "state": "reserved"}))
    page.route("**/kiosk/v1/courier/deposits/*/stored", lambda r: answer(r, 200, {"state": "stored"}))
    page.route("**/kiosk/v1/codes/resend", lambda r: answer(r, 202, {"status": "accepted"}))
    page.route("**/kiosk/v1/reports", lambda r: answer(r, 202, {"status": "accepted"}))
