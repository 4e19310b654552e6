"""Expired parcels go back to the carrier with a one-time return code typed at the kiosk."""

from __future__ import annotations

import sqlalchemy as sa

from locker_app.extensions import db
from tests.integration.storage_helpers import events_of, rows, run_jobs, store_parcel


def expired_parcel(app, api, sms, clock) -> str:
    parcel_id, _ = store_parcel(app, api, sms)
    clock.advance(days=8)
    assert run_jobs(app)["expire-parcels"] == 1
    return parcel_id


def ask_return(api, parcel_id: str, *, key: str | None = None, token: str | None = None):
    return api._post(f"/api/v1/parcels/{parcel_id}/return", None, token, key)


def test_return_code_opens_the_door_and_marks_the_parcel_returned(app, api, sms, clock):
    parcel_id = expired_parcel(app, api, sms, clock)
    answer = ask_return(api, parcel_id)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    code = body["return_code"]
    assert len(code) == 8 and code.isdigit()
    assert body["compartment"] == "A01" and body["site"] == "MAPO-001"

    opened = api.pickup(code)
    assert opened.status_code == 200, opened.get_json()
    assert opened.get_json()["compartments"] == ["A01"]
    assert opened.get_json()["parcels"][0]["action"] == "return"
    parcel = api.get(parcel_id).get_json()
    assert parcel["state"] == "returned" and parcel["returned_at"]
    assert events_of(app, parcel_id)[-2:] == ["parcel.return_code_issued", "parcel.returned"]

    assert api.pickup(code).status_code == 403  # one time only
    courier = {"Authorization": f"Bearer {api.world.courier_token}"}
    assert api.client.get("/api/v1/returns", headers=courier).get_json()["parcels"] == []
    # The compartment is free again: the four S doors take four new parcels.
    assert {api.reserve(size="S").get_json()["compartment"] for _ in range(4)} == {"A01", "A02", "A03", "A04"}


def test_return_code_is_kept_only_as_a_digest(app, api, sms, clock):
    parcel_id = expired_parcel(app, api, sms, clock)
    code = ask_return(api, parcel_id, key="ret-1").get_json()["return_code"]
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).all():
                assert all(code not in str(value) for value in row), f"return code in clear in {table.name}"


def test_retrying_with_the_same_key_gives_a_working_code_and_voids_the_earlier_one(app, api, sms, clock):
    parcel_id = expired_parcel(app, api, sms, clock)
    first = ask_return(api, parcel_id, key="ret-1").get_json()["return_code"]
    again = ask_return(api, parcel_id, key="ret-1")
    assert again.status_code == 200
    second = again.get_json()["return_code"]
    assert first != second
    assert api.pickup(first).status_code == 403
    assert api.pickup(second).status_code == 200
    active = rows(app, "SELECT count(*) AS n FROM access_codes WHERE active")
    assert active[0].n == 0


def test_the_same_key_for_another_parcel_is_refused(app, api, sms, clock):
    parcel_id = expired_parcel(app, api, sms, clock)
    assert ask_return(api, parcel_id, key="ret-1").status_code == 200
    other = api.reserve().get_json()["parcel_id"]
    assert ask_return(api, other, key="ret-1").status_code == 422


def test_only_expired_parcels_of_ones_own_carrier_can_be_taken_back(app, api, sms, clock):
    stored_id, _ = store_parcel(app, api, sms)
    refused = ask_return(api, stored_id)
    assert refused.status_code == 409 and refused.get_json()["type"] == "invalid-state"
    clock.advance(days=8)
    run_jobs(app)
    foreign = ask_return(api, stored_id, token=api.world.other_courier_token)
    assert foreign.status_code == 404
    assert rows(app, "SELECT count(*) AS n FROM access_codes WHERE kind = 'return'")[0].n == 0
    # Without a key nothing happens either.
    courier = {"Authorization": f"Bearer {api.world.courier_token}"}
    assert api.client.post(f"/api/v1/parcels/{stored_id}/return", headers=courier).status_code == 400


def test_a_return_code_does_not_open_another_sites_kiosk(app, api, sms, clock):
    parcel_id = expired_parcel(app, api, sms, clock)
    code = ask_return(api, parcel_id).get_json()["return_code"]
    assert api.pickup(code, token=api.world.other_kiosk_token).status_code == 403
    assert api.get(parcel_id).get_json()["state"] == "expired"
