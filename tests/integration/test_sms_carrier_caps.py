"""SMS that cannot be pumped or turned against a resident (issue 20 section 2): the daily cap per number is
counted per carrier, with a backstop no carrier can use up alone and that no deposit answer reveals; hourly
caps per courier, per carrier and in total, each an alert when it bites; counts taken under a lock."""

from __future__ import annotations

import threading
import uuid

import pytest

from locker_app.extensions import db
from locker_app.services import provisioning
from tests.conftest import Api, seed_world
from tests.integration.sms_support import events, messages

NUMBER = "010-1234-5678"


def courier(app, carrier: str, name: str) -> str:
    with app.app_context():
        _, token = provisioning.create_courier(db.session(), app.extensions["locker.clock"](), carrier, name)
        db.session.commit()
    return token


def deliver(api: Api, token: str, phone: str = NUMBER) -> dict:
    reserved = api.reserve(phone=phone, token=token)
    assert reserved.status_code == 201, reserved.get_json()
    answer = api.deposit(reserved.get_json()["parcel_id"], token=token)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def sms_for(app, parcel_id: str) -> int:
    return len(messages(app, parcel_id))


def test_one_carriers_deliveries_do_not_use_up_another_carriers_sms_to_the_number(make_app):
    app = make_app(SMS_DAILY_CAP_PER_NUMBER=3)
    api = Api(app.test_client(), seed_world(app, "S:10,M:3,L:2,XL:1"))
    fakes = [deliver(api, api.world.courier_token) for _ in range(4)]
    assert [sms_for(app, p["parcel_id"]) for p in fakes] == [1, 1, 1, 0]
    assert fakes[-1]["notification_failed"] is True  # her own cap: she sent those three herself
    real = deliver(api, api.world.other_courier_token)
    assert sms_for(app, real["parcel_id"]) == 1 and real["notification_failed"] is False
    assert [e.detail["reason"] for e in events(app, "sms.refused")] == ["daily-number-cap"]


def test_the_backstop_is_not_used_up_by_one_carrier_and_no_deposit_answer_shows_it(make_app):
    app = make_app(SMS_DAILY_CAP_PER_NUMBER=3, SMS_DAILY_CAP_PER_NUMBER_ALL=4, SMS_DAILY_FLOOR_PER_CARRIER=1)
    api = Api(app.test_client(), seed_world(app, "S:10,M:3,L:2,XL:1"))
    first, second = api.world.courier_token, api.world.other_courier_token
    third = courier(app, "Third Logistics", "Park")
    for _ in range(3):
        deliver(api, first)
    passed = deliver(api, second)  # 4 of 4 for the number now
    held = deliver(api, second)  # past the backstop, and past her floor of 1
    late = deliver(api, third)  # a carrier's first SMS to the number always goes
    assert [sms_for(app, p["parcel_id"]) for p in (passed, held, late)] == [1, 0, 1]
    # What the second carrier sees of the held SMS is what she sees of one that went: nothing tells her how
    # many SMS other carriers sent to the number.
    assert held["notification_failed"] is False and held.keys() == passed.keys()
    assert api.get(held["parcel_id"], token=second).get_json()["notification_failed"] is False
    [refused] = events(app, "sms.refused")
    assert refused.parcel_id == held["parcel_id"] and refused.detail["reason"] == "daily-number-backstop"
    assert [e.detail for e in events(app, "sms.cap_reached")] == [{"cap": "daily-number-backstop"}]


def test_a_courier_gets_a_number_of_sms_an_hour_with_one_alert_when_the_cap_bites(make_app, clock):
    app = make_app(SMS_HOURLY_CAP_PER_COURIER=2)
    api = Api(app.test_client(), seed_world(app, "S:10,M:3,L:2,XL:1"))
    token = api.world.courier_token
    sent = [deliver(api, token, phone=f"010-5555-000{n}") for n in range(4)]
    assert [sms_for(app, p["parcel_id"]) for p in sent] == [1, 1, 0, 0]
    assert [p["notification_failed"] for p in sent] == [False, False, True, True]
    assert {e.detail["reason"] for e in events(app, "sms.refused")} == {"courier-hour-cap"}
    [alert] = events(app, "sms.cap_reached")  # one alert, not one per refused SMS
    assert alert.detail["cap"] == "courier-hour-cap" and alert.detail["courier_id"]
    other = deliver(api, api.world.other_courier_token, phone="010-5555-0009")
    assert sms_for(app, other["parcel_id"]) == 1
    clock.advance(hours=1, seconds=1)
    assert sms_for(app, deliver(api, token, phone="010-5555-0010")["parcel_id"]) == 1


@pytest.mark.parametrize(("setting", "cap", "colleague_refused", "other_carrier_refused"), [
    ("SMS_HOURLY_CAP_PER_CARRIER", "carrier-hour-cap", True, False),
    ("SMS_HOURLY_CAP_TOTAL", "total-hour-cap", True, True),
])
def test_carrier_and_total_caps_an_hour(make_app, setting, cap, colleague_refused, other_carrier_refused):
    app = make_app(**{setting: 2})
    api = Api(app.test_client(), seed_world(app, "S:10,M:3,L:2,XL:1"))
    colleague = courier(app, "Demo Express", "Choi")  # the first courier's carrier
    for n in range(2):
        deliver(api, api.world.courier_token, phone=f"010-6666-000{n}")
    refused = [deliver(api, colleague, phone="010-6666-0005"),
               deliver(api, api.world.other_courier_token, phone="010-6666-0006")]
    assert [sms_for(app, p["parcel_id"]) == 0 for p in refused] == [colleague_refused, other_carrier_refused]
    assert [e.detail["cap"] for e in events(app, "sms.cap_reached")] == [cap]


def test_concurrent_deposits_to_one_number_send_no_more_than_the_cap(make_app):
    """30 deposits to one number at once, a cap of 10: without the count under a lock, PostgreSQL sent 13 more."""
    app = make_app(SMS_DAILY_CAP_PER_NUMBER=10)
    world = seed_world(app)
    with app.app_context():
        provisioning.create_site(db.session(), app.extensions["locker.clock"](), "RACE-01", "race", "S:30")
        db.session.commit()
    api = Api(app.test_client(), world)
    parcels = [api.reserve(site="RACE-01", phone=NUMBER).get_json()["parcel_id"] for _ in range(30)]
    barrier = threading.Barrier(len(parcels))
    answers: list[int] = []
    lock = threading.Lock()

    def deposit(parcel_id: str) -> None:
        client = app.test_client()
        barrier.wait()
        answer = client.post(f"/api/v1/parcels/{parcel_id}/deposit",
                             headers={"Authorization": f"Bearer {world.courier_token}",
                                      "Idempotency-Key": uuid.uuid4().hex})
        with lock:
            answers.append(answer.status_code)

    threads = [threading.Thread(target=deposit, args=(p,)) for p in parcels]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == [200] * 30
    assert len(messages(app)) == 10
    assert len(events(app, "sms.refused")) == 20


def test_the_caps_come_from_the_environment_with_defaults_and_nonsense_is_refused():
    from locker_app.config import check_settings, load_settings

    defaults = load_settings({}, "/tmp")
    assert [defaults[name] for name in ("SMS_DAILY_CAP_PER_NUMBER", "SMS_DAILY_CAP_PER_NUMBER_ALL",
                                        "SMS_DAILY_FLOOR_PER_CARRIER", "SMS_HOURLY_CAP_PER_COURIER",
                                        "SMS_HOURLY_CAP_PER_CARRIER", "SMS_HOURLY_CAP_TOTAL")] == [10, 30, 3, 60, 1000,
                                                                                                  5000]
    assert load_settings({"LOCKER_SMS_HOURLY_CAP_TOTAL": "77"}, "/tmp")["SMS_HOURLY_CAP_TOTAL"] == 77
    with pytest.raises(RuntimeError, match="CAP"):
        check_settings(load_settings({"LOCKER_SMS_HOURLY_CAP_PER_COURIER": "-1"}, "/tmp"))
