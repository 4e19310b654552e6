"""Storage fees at the kiosk: 402 with the amount, then the door opens once the payment is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.storage_helpers import events_of, rows, store_parcel


def test_no_fee_within_the_free_48_hours(app, api, sms, clock):
    _, code = store_parcel(app, api, sms)
    clock.advance(hours=47, minutes=59)
    opened = api.pickup(code)
    assert opened.status_code == 200, opened.get_json()
    assert opened.get_json()["fee_due"] == 0 and opened.get_json()["fee_paid"] == 0
    assert rows(app, "SELECT * FROM payments") == []


def test_after_48_hours_the_kiosk_asks_for_payment_and_the_code_still_works(app, api, sms, clock):
    parcel_id, code = store_parcel(app, api, sms)
    clock.advance(hours=48, minutes=1)
    asked = api.pickup(code)
    assert asked.status_code == 402
    assert asked.headers["Content-Type"] == "application/problem+json"
    problem = asked.get_json()
    assert problem["type"] == "payment-required" and problem["amount"] == 1000 and problem["currency"] == "KRW"
    # Asking changed nothing: the parcel is still there and the same code is asked for again.
    assert api.get(parcel_id).get_json()["state"] == "stored"
    assert api.pickup(code).status_code == 402

    paid = api.pickup(code, payment_reference="VAN-20261126-0001")
    assert paid.status_code == 200, paid.get_json()
    assert paid.get_json()["compartments"] == ["A01"] and paid.get_json()["fee_paid"] == 1000
    assert api.get(parcel_id).get_json()["state"] == "picked_up"
    payment = rows(app, "SELECT parcel_id, amount, currency, reference FROM payments")
    assert [tuple(p) for p in payment] == [(parcel_id, 1000, "KRW", "VAN-20261126-0001")]
    assert events_of(app, parcel_id)[-2:] == ["parcel.fee_paid", "parcel.picked_up"]


def test_each_started_day_costs_one_fee(app, api, sms, clock):
    _, code = store_parcel(app, api, sms)
    clock.advance(hours=72, minutes=1)
    assert api.pickup(code).get_json()["amount"] == 2000


def test_one_payment_reference_cannot_open_two_doors(app, api, sms, clock):
    _, first = store_parcel(app, api, sms)
    second_id, second = store_parcel(app, api, sms)
    clock.advance(days=3)
    assert api.pickup(first, payment_reference="VAN-1").status_code == 200
    reused = api.pickup(second, payment_reference="VAN-1")
    assert reused.status_code == 409 and reused.get_json()["type"] == "payment-reference-used"
    assert api.get(second_id).get_json()["state"] == "stored"
    assert api.pickup(second, payment_reference="VAN-2").status_code == 200


def test_a_bad_payment_reference_is_refused_and_changes_nothing(app, api, sms, clock):
    parcel_id, code = store_parcel(app, api, sms)
    clock.advance(days=3)
    for bad in ("", "x" * 65, 12345, "line\nbreak"):
        answer = api.pickup(code, payment_reference=bad)
        assert answer.status_code == 400, bad
        assert answer.get_json()["type"] == "invalid-input"
    assert api.get(parcel_id).get_json()["state"] == "stored"
    assert rows(app, "SELECT * FROM payments") == []


def test_the_fee_day_rolls_over_at_the_deposit_time_in_seoul(app, api, sms, clock):
    def seoul(day: int, hour: int, minute: int, second: int = 0) -> datetime:
        return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC) - timedelta(hours=9)

    # Deposited at 23:30 in Seoul: the first fee day starts at 23:30 two days later and lasts past midnight.
    clock.at = seoul(24, 23, 30)
    _, early = store_parcel(app, api, sms)
    _, late = store_parcel(app, api, sms)
    clock.at = seoul(26, 23, 29)
    assert api.pickup(early).status_code == 200
    for at, amount in ((seoul(26, 23, 31), 1000), (seoul(27, 0, 10), 1000), (seoul(27, 9, 10), 1000),
                       (seoul(27, 23, 30), 1000), (seoul(27, 23, 30, 1), 2000)):
        clock.at = at
        assert api.pickup(late).get_json().get("amount") == amount, at


def test_a_pickup_code_stops_at_the_deadline_even_before_the_expiry_job_runs(app, api, sms, clock):
    parcel_id, code = store_parcel(app, api, sms)
    clock.advance(days=7)
    refused = api.pickup(code, payment_reference="VAN-9")
    assert refused.status_code == 403 and refused.get_json()["type"] == "code-rejected"
    assert api.get(parcel_id).get_json()["state"] == "stored"
    assert rows(app, "SELECT * FROM payments") == []


def test_a_return_code_owes_nothing(app, api, sms, clock):
    from tests.integration.storage_helpers import run_jobs

    parcel_id, _ = store_parcel(app, api, sms)
    clock.advance(days=8)
    run_jobs(app)
    code = api._post(f"/api/v1/parcels/{parcel_id}/return").get_json()["return_code"]
    opened = api.pickup(code)
    assert opened.status_code == 200 and opened.get_json()["fee_paid"] == 0
