"""Issue 19's "Done when", through the kiosk API alone: a courier at the touchscreen delivers, the resident picks up."""

from __future__ import annotations

from locker_app.jobs import run_all_once
from tests.conftest import code_from
from tests.walkup_support import COURIER_PHONE, Kiosk, give_pin


def _relay(app, clock):
    with app.app_context():
        run_all_once(clock())


def test_courier_signs_in_deposits_and_the_resident_picks_up(app, client, world, sms, clock):
    pin = give_pin(app)
    kiosk = Kiosk(client, world.kiosk_token)

    signed = kiosk.sign_in(COURIER_PHONE, pin)
    assert signed.status_code == 201, signed.get_json()
    assert signed.get_json()["courier"] == {"name": "Kim", "carrier": "Demo Express"}
    assert signed.get_json()["expires_at"] == "2026-11-24T05:10:00Z"

    reserved = kiosk.deposit("010-1234-5678", "M", tracking_number="CJ555")
    assert reserved.status_code == 201, reserved.get_json()
    parcel = reserved.get_json()
    assert parcel["state"] == "reserved" and parcel["size"] == "M" and parcel["compartment"]

    stored = kiosk.stored(parcel["parcel_id"])
    assert stored.status_code == 200, stored.get_json()
    assert stored.get_json()["state"] == "stored" and stored.get_json()["pickup_deadline"]

    _relay(app, clock)
    assert [m["to"] for m in sms.sent] == ["+821012345678"]
    opened = kiosk.pickup(code_from(sms.sent[0]["body"]))
    assert opened.status_code == 200 and opened.get_json()["compartments"] == [parcel["compartment"]]

    listed = client.get("/api/v1/parcels", headers={"Authorization": f"Bearer {world.courier_token}"}).get_json()
    assert [(p["parcel_id"], p["tracking_number"], p["state"]) for p in listed["parcels"]] == [
        (parcel["parcel_id"], "CJ555", "picked_up")]
    other = client.get("/api/v1/parcels", headers={"Authorization": f"Bearer {world.other_courier_token}"})
    assert other.get_json()["parcels"] == []
