"""Door reports from the kiosk and admin remote opens that the kiosk polls for."""

from __future__ import annotations

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.models import Site
from locker_app.services import kiosk_commands
from tests.conftest import code_from


def _kiosk(api, token=None):
    return {"Authorization": f"Bearer {token or api.world.kiosk_token}"}


def _stored_parcel(app, api, sms):
    from locker_app.jobs import relay_job

    parcel = api.reserve(size="S").get_json()
    api.deposit(parcel["parcel_id"])
    with app.app_context():
        relay_job()
    return parcel, code_from(sms.sent[-1]["body"])


def _one(app, sql, **params):
    with app.app_context():
        row = db.session.execute(sa.text(sql), params).one()
        db.session.rollback()
        return row


def test_site_says_whether_a_phone_suffix_is_needed_and_nothing_else(app, api):
    answer = api.client.get("/kiosk/v1/site", headers=_kiosk(api))
    assert answer.status_code == 200
    assert answer.get_json() == {"site": "MAPO-001", "name": "마포구청 안심택배함", "language": "ko",
                                 "phone_suffix_required": False,
                                 # Issue 19: room for a courier at the touchscreen (counts, never a parcel).
                                 "free": {"S": 4, "M": 3, "L": 2, "XL": 1}, "pickup_only": False}
    with app.app_context():
        db.session.execute(sa.text("UPDATE sites SET require_phone_suffix = true WHERE code = 'MAPO-001'"))
        db.session.commit()
    assert api.client.get("/kiosk/v1/site", headers=_kiosk(api)).get_json()["phone_suffix_required"] is True
    assert api.client.get("/kiosk/v1/site").status_code == 401


def test_phone_suffix_site_needs_the_last_four_digits(app, api, sms):
    with app.app_context():
        db.session.execute(sa.text("UPDATE sites SET require_phone_suffix = true WHERE code = 'MAPO-001'"))
        db.session.commit()
    _, code = _stored_parcel(app, api, sms)
    assert api.pickup(code).status_code == 403
    assert api.pickup(code, phone_suffix="1111").status_code == 403
    assert api.pickup(code, phone_suffix="5678").get_json()["compartments"] == ["A01"]


def test_every_kiosk_call_records_last_seen_even_when_rejected(app, api, clock):
    clock.advance(minutes=3)
    assert api.pickup("12345678").status_code == 403
    seen = _one(app, "SELECT last_seen_at FROM kiosks ORDER BY id LIMIT 1").last_seen_at
    assert seen is not None


def test_door_closed_after_pickup_is_recorded_with_the_parcel(app, api, sms):
    parcel, code = _stored_parcel(app, api, sms)
    assert api.pickup(code).status_code == 200
    answer = api.client.post("/kiosk/v1/doors/A01/closed", headers=_kiosk(api))
    assert answer.status_code == 200 and answer.get_json() == {"compartment": "A01", "door": "closed"}
    event = _one(app, "SELECT actor, parcel_id FROM events WHERE action = 'door.closed'")
    assert event.parcel_id == parcel["parcel_id"] and event.actor.startswith("kiosk:")
    assert api.client.post("/kiosk/v1/doors/Z99/closed", headers=_kiosk(api)).status_code == 404


def test_door_fault_disables_the_compartment_and_flags_the_parcel(app, api, sms):
    parcel, code = _stored_parcel(app, api, sms)
    assert api.pickup(code).status_code == 200
    answer = api.client.post("/kiosk/v1/doors/A01/fault", json={"reason": "did not open"}, headers=_kiosk(api))
    assert answer.status_code == 200
    assert answer.get_json() == {"compartment": "A01", "in_service": False, "parcel_flagged": True}
    assert _one(app, "SELECT in_service FROM compartments WHERE label = 'A01' ORDER BY id LIMIT 1").in_service \
        in (False, 0)
    assert _one(app, "SELECT door_fault_at FROM parcels WHERE id = :p", p=parcel["parcel_id"]).door_fault_at
    event = _one(app, "SELECT parcel_id, detail FROM events WHERE action = 'door.fault'")
    assert event.parcel_id == parcel["parcel_id"]
    # The next courier is not given the broken compartment.
    assert api.reserve(size="S").get_json()["compartment"] != "A01"


def test_another_sites_kiosk_cannot_report_our_doors(app, api, sms):
    _stored_parcel(app, api, sms)
    other = api.client.post("/kiosk/v1/doors/A01/fault", headers=_kiosk(api, api.world.other_kiosk_token))
    assert other.status_code == 200  # A01 at MAPO-002, its own door
    assert _one(app, "SELECT count(*) AS n FROM parcels WHERE door_fault_at IS NOT NULL").n == 0


def test_remote_open_is_polled_acknowledged_once_and_expires(app, api, clock):
    with app.app_context():
        site = db.session.scalar(sa.select(Site).where(Site.code == "MAPO-001"))
        kiosk_commands.queue_remote_open(db.session, clock(), site.id, "A02", "resident locked out", "admin:7")
        kiosk_commands.queue_remote_open(db.session, clock(), site.id, "A03", "cleaning", "admin:7")
        db.session.commit()
    polled = api.client.get("/kiosk/v1/commands", headers=_kiosk(api)).get_json()["commands"]
    assert [(c["kind"], c["compartment"]) for c in polled] == [("open", "A02"), ("open", "A03")]
    assert api.client.get("/kiosk/v1/commands", headers=_kiosk(api, api.world.other_kiosk_token)) \
        .get_json() == {"commands": []}

    ack = api.client.post(f"/kiosk/v1/commands/{polled[0]['id']}/ack", json={"result": "opened"},
                          headers=_kiosk(api))
    assert ack.status_code == 200 and ack.get_json()["result"] == "opened"
    again = api.client.post(f"/kiosk/v1/commands/{polled[0]['id']}/ack", headers=_kiosk(api))
    assert again.status_code == 200
    events = _one(app, "SELECT count(*) AS n FROM events WHERE action = 'door.remote_opened'")
    assert events.n == 1
    assert api.client.post(f"/kiosk/v1/commands/{polled[1]['id']}/ack",
                           headers=_kiosk(api, api.world.other_kiosk_token)).status_code == 404

    clock.advance(minutes=6)
    assert api.client.get("/kiosk/v1/commands", headers=_kiosk(api)).get_json() == {"commands": []}


def test_a_remote_open_needs_a_reason_and_a_real_door(app, clock):
    from locker_app.services.errors import InvalidInput, NotFound
    from tests.conftest import seed_world

    seed_world(app)
    with app.app_context():
        site = db.session.scalar(sa.select(Site).where(Site.code == "MAPO-001"))
        for label, reason, error in (("A01", "  ", InvalidInput), ("Z99", "stuck", NotFound)):
            try:
                kiosk_commands.queue_remote_open(db.session, clock(), site.id, label, reason, "admin:1")
            except error:
                pass
            else:
                raise AssertionError(f"{label!r} {reason!r} was accepted")
        db.session.rollback()
