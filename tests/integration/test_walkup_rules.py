"""Issue 19's rules for the courier at the touchscreen: PIN lockouts, a full site, lost codes, bad input."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import run_all_once
from tests.conftest import code_from, row_counts, seed_world
from tests.walkup_support import COURIER_PHONE, Kiosk, give_pin


def _wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def _relay(app, clock):
    with app.app_context():
        run_all_once(clock())


def test_five_wrong_pins_lock_the_courier_on_every_kiosk_then_it_doubles(app, client, world, clock):
    pin = give_pin(app)
    here, there = Kiosk(client, world.kiosk_token), Kiosk(client, world.other_kiosk_token)
    for _ in range(5):
        assert here.sign_in(COURIER_PHONE, _wrong(pin)).status_code == 403
    locked = there.sign_in(COURIER_PHONE, pin)
    assert locked.status_code == 429 and locked.get_json()["type"] == "courier-locked"
    assert locked.headers["Retry-After"] == "900"
    clock.advance(minutes=15)
    assert there.sign_in(COURIER_PHONE, pin).status_code == 201  # the right PIN, once the lock is over
    for _ in range(5):
        assert there.sign_in(COURIER_PHONE, _wrong(pin)).status_code == 403
    assert here.sign_in(COURIER_PHONE, pin).headers["Retry-After"] == "1800"


def test_twenty_wrong_pins_in_a_day_lock_the_pin_until_it_is_reset(app, client, world, clock):
    pin = give_pin(app)
    kiosks = [Kiosk(client, world.kiosk_token), Kiosk(client, world.other_kiosk_token)]
    for round_ in range(4):
        for attempt in range(5):
            assert kiosks[attempt % 2].sign_in(COURIER_PHONE, _wrong(pin)).status_code == 403
        clock.advance(hours=2 ** round_ * 0.25 + 0.01)
    assert kiosks[0].sign_in(COURIER_PHONE, pin).status_code == 429
    clock.advance(hours=23)
    assert kiosks[0].sign_in(COURIER_PHONE, pin).status_code == 429  # still: only a new PIN ends it
    new_pin = give_pin(app)
    assert kiosks[0].sign_in(COURIER_PHONE, new_pin).status_code == 201


def test_an_unknown_number_and_a_wrong_pin_answer_alike(app, client, world):
    pin = give_pin(app)
    kiosk = Kiosk(client, world.kiosk_token)
    wrong = kiosk.sign_in(COURIER_PHONE, _wrong(pin))
    unknown = kiosk.sign_in("010-9999-0000", pin)
    malformed_pin = kiosk.sign_in(COURIER_PHONE, "12")
    assert wrong.status_code == unknown.status_code == malformed_pin.status_code == 403
    assert wrong.data == unknown.data == malformed_pin.data
    assert wrong.get_json()["type"] == "courier-rejected"
    # An unknown number locks like a known one, so the lock tells nothing either.
    for _ in range(4):
        kiosk.sign_in("010-9999-0000", pin)
    assert kiosk.sign_in("010-9999-0000", pin).status_code == 429


def test_the_kiosk_pauses_sign_ins_after_many_refusals_whatever_the_numbers(app, client, world):
    give_pin(app)
    kiosk, other = Kiosk(client, world.kiosk_token), Kiosk(client, world.other_kiosk_token)
    for n in range(10):
        assert kiosk.sign_in(f"010-5555-{n:04d}", "123456").status_code == 403
    paused = kiosk.sign_in("010-5555-0100", "123456")
    assert paused.status_code == 429 and paused.get_json()["type"] == "kiosk-sign-in-paused"
    assert int(paused.headers["Retry-After"]) > 0
    assert other.sign_in("010-5555-0100", "123456").status_code == 403  # another kiosk is not paused


def test_a_full_site_is_pickup_only_and_a_walkup_deposit_gets_alternatives(make_app):
    app = make_app()
    world = seed_world(app, compartments="S:1")
    client = app.test_client()
    pin = give_pin(app)
    kiosk = Kiosk(client, world.kiosk_token)
    before = kiosk.site().get_json()
    assert before["free"] == {"S": 1, "M": 0, "L": 0, "XL": 0} and before["pickup_only"] is False
    assert kiosk.sign_in(COURIER_PHONE, pin).status_code == 201
    first = kiosk.deposit(size="S")
    assert first.status_code == 201
    assert kiosk.stored(first.get_json()["parcel_id"]).status_code == 200
    site = kiosk.site().get_json()
    assert site["pickup_only"] is True and site["free"] == {"S": 0, "M": 0, "L": 0, "XL": 0}
    assert [a["site"] for a in site["alternatives"]] == ["MAPO-002"]
    full = kiosk.deposit(size="S")
    assert full.status_code == 409 and full.get_json()["type"] == "locker-full"
    assert [a["site"] for a in full.get_json()["alternatives"]] == ["MAPO-002"]


def _stored_parcel(app, client, world, phone="010-1234-5678"):
    pin = give_pin(app)
    kiosk = Kiosk(client, world.kiosk_token)
    kiosk.sign_in(COURIER_PHONE, pin)
    parcel = kiosk.deposit(phone).get_json()
    assert kiosk.stored(parcel["parcel_id"]).status_code == 200
    return kiosk, parcel


def test_a_lost_code_answers_byte_for_byte_alike_and_only_a_waiting_parcel_gets_an_sms(app, client, world, sms,
                                                                                       clock):
    kiosk, _ = _stored_parcel(app, client, world)
    _relay(app, clock)
    old_code = code_from(sms.sent[0]["body"])
    before = len(sms.sent)

    with_parcel = kiosk.lost_code("010-1234-5678")
    without = kiosk.lost_code("010-8765-4321")
    assert with_parcel.status_code == without.status_code == 202
    assert with_parcel.data == without.data
    assert with_parcel.headers["Content-Type"] == without.headers["Content-Type"]
    _relay(app, clock)
    assert [m["to"] for m in sms.sent[before:]] == ["+821012345678"]
    assert kiosk.pickup(old_code).status_code == 403  # the old code stopped
    assert kiosk.pickup(code_from(sms.sent[-1]["body"])).status_code == 200


def test_a_lost_code_goes_out_at_most_three_times_a_day_per_number(app, client, world, sms, clock):
    kiosk, _ = _stored_parcel(app, client, world)
    _relay(app, clock)
    before = len(sms.sent)
    answers = {kiosk.lost_code("010-1234-5678").data for _ in range(5)}
    assert len(answers) == 1
    _relay(app, clock)
    assert len(sms.sent) - before == 3


def test_a_lost_code_opens_the_door_while_the_keypad_is_paused(app, client, world, sms, clock):
    kiosk, parcel = _stored_parcel(app, client, world)
    for n in range(6):
        kiosk.pickup(f"{n:08d}")
    assert kiosk.pickup("11111111").status_code == 429  # paused
    assert kiosk.lost_code("010-1234-5678").status_code == 202
    _relay(app, clock)
    opened = kiosk.pickup(code_from(sms.sent[-1]["body"]))
    assert opened.status_code == 200 and opened.get_json()["compartments"] == [parcel["compartment"]]


def test_a_lost_code_grant_allows_only_three_tries_during_a_pause(app, client, world, sms, clock):
    kiosk, _ = _stored_parcel(app, client, world)
    for n in range(6):
        kiosk.pickup(f"{n:08d}")
    kiosk.lost_code("010-1234-5678")
    _relay(app, clock)
    for n in range(3):
        assert kiosk.pickup(f"9999999{n}").status_code in (403, 429)
    assert kiosk.pickup(code_from(sms.sent[-1]["body"])).status_code == 429  # the grant's tries are spent


def test_bad_input_gets_a_clear_problem_and_changes_nothing(app, client, world, clock):
    pin = give_pin(app)
    kiosk, other = Kiosk(client, world.kiosk_token), Kiosk(client, world.other_kiosk_token)
    kiosk.sign_in(COURIER_PHONE, pin)
    before = row_counts(app)

    malformed = kiosk.deposit("12-34", "S")
    assert malformed.status_code == 400 and malformed.get_json()["field"] == "recipient_phone"
    unknown_size = kiosk.deposit("010-1234-5678", "XXL")
    assert unknown_size.status_code == 400 and unknown_size.get_json()["field"] == "size"
    elsewhere = other.deposit("010-1234-5678", "S", session=kiosk.session)
    assert elsewhere.status_code == 403 and elsewhere.get_json()["type"] == "courier-session-elsewhere"
    none = other.deposit("010-1234-5678", "S")
    assert none.status_code == 403 and none.get_json()["type"] == "courier-session-required"
    assert {k: v for k, v in row_counts(app).items() if k != "events"} == {
        k: v for k, v in before.items() if k != "events"}

    parcel = kiosk.deposit("010-1234-5678", "S").get_json()
    assert kiosk.stored(parcel["parcel_id"]).status_code == 200
    again = kiosk.stored(parcel["parcel_id"])
    assert again.status_code == 409 and again.get_json()["type"] == "already-stored"
    late_cancel = kiosk.cancel(parcel["parcel_id"])
    assert late_cancel.status_code == 409 and late_cancel.get_json()["type"] == "already-stored"
    with app.app_context():
        messages = db.session.execute(sa.text("SELECT count(*) FROM messages")).scalar()
        state = db.session.execute(sa.text("SELECT state FROM parcels WHERE id = :id"),
                                   {"id": parcel["parcel_id"]}).scalar()
    assert messages == 1 and state == "stored"

    clock.advance(minutes=5)
    expired = kiosk.deposit("010-1234-5678", "S")
    assert expired.status_code == 403 and expired.get_json()["type"] == "courier-session-expired"


def test_cancel_frees_the_compartment_and_signing_out_ends_the_session(app, client, world):
    pin = give_pin(app)
    kiosk = Kiosk(client, world.kiosk_token)
    kiosk.sign_in(COURIER_PHONE, pin)
    free = kiosk.site().get_json()["free"]["S"]
    parcel = kiosk.deposit(size="S").get_json()
    assert kiosk.site().get_json()["free"]["S"] == free - 1
    cancelled = kiosk.cancel(parcel["parcel_id"])
    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"
    assert kiosk.site().get_json()["free"]["S"] == free
    assert kiosk.sign_out().get_json() == {"ended": True}
    assert kiosk.deposit().get_json()["type"] == "courier-session-expired"


def test_a_retried_deposit_with_its_key_reserves_once(app, client, world):
    pin = give_pin(app)
    kiosk = Kiosk(client, world.kiosk_token)
    kiosk.sign_in(COURIER_PHONE, pin)
    key = uuid.uuid4().hex
    first, again = kiosk.deposit(key=key), kiosk.deposit(key=key)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["parcel_id"] == again.get_json()["parcel_id"]


@pytest.mark.parametrize("kind", ["parcel-missing", "damaged", "door-stuck"])
def test_a_problem_report_is_an_event(app, client, world, kind):
    kiosk = Kiosk(client, world.kiosk_token)
    answer = client.post("/kiosk/v1/reports", json={"kind": kind, "compartment": "A01"},
                         headers={"Authorization": f"Bearer {kiosk.token}"})
    assert answer.status_code == 202
    bad = client.post("/kiosk/v1/reports", json={"kind": "fire"}, headers={"Authorization": f"Bearer {kiosk.token}"})
    assert bad.status_code == 400
    with app.app_context():
        actions = db.session.execute(sa.text("SELECT action FROM events")).scalars().all()
    assert actions == ["site.problem_reported"]
