"""Sending the code again: a new code, the old one dead, at most three times, and nothing else touched."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.services.resend import MAX_RESENDS
from tests.conftest import code_from
from tests.integration.sms_support import deposited, events, messages, relay


def resend(api, parcel_id: str, key: str | None = None, token: str | None = None):
    return api._post(f"/api/v1/parcels/{parcel_id}/resend", None, token, key or uuid.uuid4().hex)


def test_a_resend_gives_a_new_code_and_the_old_one_stops_working(app, api, sms):
    parcel_id = deposited(api)
    relay(app, sms)
    old = code_from(sms.sent[0]["body"])

    answer = resend(api, parcel_id)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["state"] == "stored" and answer.get_json()["resends_left"] == MAX_RESENDS - 1
    relay(app, sms)
    new = code_from(sms.sent[1]["body"])
    assert new != old
    # Same message as the first: delivery time and free period of the original deposit.
    assert sms.sent[1]["body"].replace(new, "") == sms.sent[0]["body"].replace(old, "")
    assert sms.sent[1]["to"] == sms.sent[0]["to"]

    assert api.pickup(old).status_code == 403
    assert api.pickup(new).status_code == 200
    [event] = events(app, "parcel.code_resent")
    assert event.actor.startswith("courier:") and event.parcel_id == parcel_id


def test_at_most_three_resends_per_parcel(app, api, sms):
    parcel_id = deposited(api)
    for _ in range(MAX_RESENDS):
        assert resend(api, parcel_id).status_code == 200
    refused = resend(api, parcel_id)
    assert refused.status_code == 429 and refused.get_json()["type"] == "resend-limit"
    assert int(refused.headers["Retry-After"]) > 0  # every 429 says when to ask again, as the document says
    relay(app, sms)
    assert len(sms.sent) == 1 + MAX_RESENDS
    assert api.pickup(code_from(sms.sent[-1]["body"])).status_code == 200, "the refusal voided the last code"


def test_the_same_idempotency_key_resends_once(app, api, sms):
    parcel_id = deposited(api)
    first = resend(api, parcel_id, key="resend-1")
    again = resend(api, parcel_id, key="resend-1")
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(messages(app, parcel_id)) == 2


def test_only_a_stored_parcel_of_ones_own_carrier_can_be_resent(app, api, world, sms):
    reserved = api.reserve().get_json()["parcel_id"]
    answer = resend(api, reserved)
    assert answer.status_code == 409 and answer.get_json()["type"] == "invalid-state"
    parcel_id = deposited(api)
    assert resend(api, parcel_id, token=world.other_courier_token).status_code == 404
    relay(app, sms)
    api.pickup(code_from(sms.sent[0]["body"]))
    assert resend(api, parcel_id).status_code == 409
    assert len(messages(app, parcel_id)) == 1


def test_a_resend_touches_only_codes_messages_and_the_audit_trail(app, api, sms):
    """In particular no keypad failure count or lockout: a resend must not undo a guessing lockout."""
    parcel_id = deposited(api)
    for _ in range(3):
        assert api.pickup("00000000").status_code == 403

    def snapshot() -> dict[str, list[tuple]]:
        with app.app_context():
            tables = {t.name: sorted(map(tuple, db.session.execute(sa.select(t)).all()), key=repr)
                      for t in db.metadata.sorted_tables
                      if t.name not in ("access_codes", "offline_verifiers", "messages", "events",
                                        "idempotency_records")}
            db.session.rollback()
            return tables

    before = snapshot()
    assert resend(api, parcel_id).status_code == 200
    assert snapshot() == before


def test_a_resend_after_a_failed_delivery_clears_the_flag_until_it_fails_too(app, api, sms):
    from locker_app.sms.senders import SmsError

    parcel_id = deposited(api)
    sms.fail_with = SmsError("Twilio answered 400 (21610)", temporary=False, code=21610)
    relay(app, sms)
    assert api.get(parcel_id).get_json()["notification_failed"] is True
    assert resend(api, parcel_id).get_json()["notification_failed"] is False
    relay(app, sms)
    assert api.get(parcel_id).get_json()["notification_failed"] is True
    sms.fail_with = None
    resend(api, parcel_id)
    relay(app, sms)
    assert api.get(parcel_id).get_json()["notification_failed"] is False
    assert api.pickup(code_from(sms.sent[0]["body"])).status_code == 200


def test_concurrent_resends_cannot_pass_the_limit_together(app, api, world, sms):
    import threading

    from tests.conftest import Api

    parcel_id = deposited(api)
    for _ in range(MAX_RESENDS - 1):
        assert resend(api, parcel_id).status_code == 200
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def attempt() -> None:
        mine = Api(app.test_client(), world)
        barrier.wait()
        statuses.append(resend(mine, parcel_id).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [200, 429, 429, 429]
    assert len(messages(app, parcel_id)) == 1 + MAX_RESENDS
