"""Cost caps against SMS pumping: per parcel and per recipient number a day; a refusal is an event."""

from __future__ import annotations

import uuid

from locker_app.config import load_settings
from locker_app.extensions import db
from locker_app.sms.outbox import SmsCaps, queue_message
from tests.conftest import seed_world
from tests.integration.sms_support import deposited, events, messages, relay


def test_the_caps_come_from_the_environment_with_defaults() -> None:
    assert load_settings({}, "/tmp")["SMS_DAILY_CAP_PER_NUMBER"] == 10
    assert load_settings({}, "/tmp")["SMS_MAX_PER_PARCEL"] == 5
    settings = load_settings({"LOCKER_SMS_DAILY_CAP_PER_NUMBER": "3", "LOCKER_SMS_MAX_PER_PARCEL": "4"}, "/tmp")
    assert settings["SMS_DAILY_CAP_PER_NUMBER"] == 3 and settings["SMS_MAX_PER_PARCEL"] == 4


def test_a_parcel_gets_at_most_five_messages(app, api, sms, clock):
    parcel_id = deposited(api)
    for _ in range(3):
        assert api._post(f"/api/v1/parcels/{parcel_id}/resend", None, None, uuid.uuid4().hex).status_code == 200
    with app.app_context():
        session = db.session()
        fifth = queue_message(session, clock(), kind="reminder", to="+821012345678", body="reminder",
                              parcel_id=parcel_id)
        sixth = queue_message(session, clock(), kind="expiry", to="+821012345678", body="expiry",
                              parcel_id=parcel_id)
        session.commit()
    assert fifth is not None and sixth is None
    assert len(messages(app, parcel_id)) == 5
    [refused] = events(app, "sms.refused")
    assert refused.parcel_id == parcel_id and refused.detail == {"kind": "expiry", "reason": "parcel-cap"}
    # A refused reminder is not a failed notification: the resident has a working code.
    assert api.get(parcel_id).get_json()["notification_failed"] is False


def test_a_number_gets_at_most_the_daily_cap_then_again_a_day_later(make_app, sms, clock):
    app = make_app(SMS_DAILY_CAP_PER_NUMBER=2)
    from tests.conftest import Api

    api = Api(app.test_client(), seed_world(app))
    first, second = deposited(api), deposited(api)
    third = deposited(api)  # the deposit itself goes through: the parcel is in the locker
    assert api.get(third).get_json()["state"] == "stored"
    assert [len(messages(app, p)) for p in (first, second, third)] == [1, 1, 0]
    [refused] = events(app, "sms.refused")
    assert refused.parcel_id == third and refused.detail["reason"] == "daily-number-cap"
    # Nobody told the resident: the courier sees it on the parcel.
    assert api.get(third).get_json()["notification_failed"] is True
    assert deposited(api, phone="010-9999-0000")  # another number is not affected
    relay(app, sms)
    assert len(sms.sent) == 3

    clock.advance(hours=24, seconds=1)
    fourth = deposited(api)
    assert len(messages(app, fourth)) == 1


def test_a_resend_refused_by_a_cap_keeps_the_old_code(make_app, sms):
    app = make_app(SMS_DAILY_CAP_PER_NUMBER=1)
    from tests.conftest import Api, code_from

    api = Api(app.test_client(), seed_world(app))
    parcel_id = deposited(api)
    relay(app, sms)
    answer = api._post(f"/api/v1/parcels/{parcel_id}/resend", None, None, uuid.uuid4().hex)
    assert answer.status_code == 429 and answer.get_json()["type"] == "sms-cap-reached"
    assert [e.detail["reason"] for e in events(app, "sms.refused")] == ["daily-number-cap"]
    assert events(app, "parcel.code_resent") == []
    assert api.pickup(code_from(sms.sent[0]["body"])).status_code == 200


def test_caps_passed_explicitly_win(app, clock):
    with app.app_context():
        session = db.session()
        caps = SmsCaps(per_parcel=5, per_number_per_day=1)
        assert queue_message(session, clock(), kind="x", to="+8210", body="a", caps=caps) is not None
        assert queue_message(session, clock(), kind="x", to="+8210", body="b", caps=caps) is None
        session.commit()


def test_a_courier_cannot_make_us_text_a_satellite_or_foreign_number(api, sms):
    for number in ("+881612345678", "+25271123456", "+5351234567"):
        answer = api.reserve(phone=number)
        assert answer.status_code == 400, number
        assert answer.get_json()["type"] == "invalid-input" and "country" in answer.get_json()["detail"]
    assert messages(api.client.application) == [] and sms.sent == []
