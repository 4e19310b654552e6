"""A courier's handheld retries on a flaky network; the same key must never do the work twice."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import row_counts


def test_a_replay_gives_the_first_answer_and_makes_no_second_parcel(app, api):
    first = api.reserve(tracking="CJ1", key="key-1")
    assert first.status_code == 201
    before = row_counts(app)
    again = api.reserve(tracking="CJ1", key="key-1")
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert row_counts(app) == before


def test_same_key_with_another_body_is_refused(app, api):
    assert api.reserve(tracking="CJ1", key="key-1").status_code == 201
    before = row_counts(app)
    other = api.reserve(tracking="CJ2", key="key-1")
    assert other.status_code == 422
    assert other.get_json()["type"] == "idempotency-key-reused"
    assert other.headers["Content-Type"] == "application/problem+json"
    assert row_counts(app) == before


def test_keys_belong_to_one_courier(app, api, world):
    assert api.reserve(tracking="CJ1", key="shared").status_code == 201
    assert api.reserve(tracking="CJ1", key="shared", token=world.other_courier_token).status_code == 201
    assert row_counts(app)["parcels"] == 2


def test_the_same_key_on_another_endpoint_is_refused(api):
    parcel = api.reserve(key="k").get_json()
    assert api.deposit(parcel["parcel_id"], key="k").status_code == 422


def test_a_post_without_a_key_is_refused_and_changes_nothing(app, client, world):
    before = row_counts(app)
    response = client.post("/api/v1/sites/MAPO-001/reservations",
                           json={"tracking_number": "T", "recipient_phone": "010-1234-5678", "size": "S"},
                           headers={"Authorization": f"Bearer {world.courier_token}"})
    assert response.status_code == 400
    assert response.get_json()["type"] == "idempotency-key-required"
    assert row_counts(app) == before


def test_a_duplicate_while_the_first_is_running_gets_409(app, api, held_reservations):
    entered, release = held_reservations
    first: dict = {}

    def run_first() -> None:
        first["response"] = api.__class__(app.test_client(), api.world).reserve(tracking="CJ1", key="dup")

    thread = threading.Thread(target=run_first)
    thread.start()
    assert entered.wait(20)
    try:
        duplicate = api.reserve(tracking="CJ1", key="dup")
        assert duplicate.status_code == 409
        assert duplicate.get_json()["type"] == "idempotency-key-in-use"
    finally:
        release.set()
        thread.join(20)
    assert first["response"].status_code == 201
    assert row_counts(app)["parcels"] == 1
    # Once the first has finished, the duplicate replays its answer.
    replay = api.reserve(tracking="CJ1", key="dup")
    assert replay.status_code == 201 and replay.get_json() == first["response"].get_json()


def test_a_refused_request_can_be_retried_with_the_same_key(app, api):
    """Errors change nothing and are not stored, so a retry after the cause is gone goes through."""
    assert api.reserve(size="XL", key="xl-1").status_code == 201
    full = api.reserve(size="XL", key="xl-2")
    assert full.status_code == 409
    first_xl = api.client.get("/api/v1/parcels?state=reserved",
                              headers={"Authorization": f"Bearer {api.world.courier_token}"}).get_json()
    api.cancel(first_xl["parcels"][0]["parcel_id"])
    assert api.reserve(size="XL", key="xl-2").status_code == 201


def test_records_are_kept_24_hours(app, api, clock):
    from locker_app.extensions import db
    from locker_app.jobs import purge_idempotency_records

    assert api.reserve(tracking="CJ1", key="day").status_code == 201
    clock.advance(hours=23, minutes=59)
    assert api.reserve(tracking="CJ1", key="day").headers.get("Idempotent-Replayed") == "true"
    clock.advance(minutes=2)
    with app.app_context():
        assert purge_idempotency_records(db.session(), clock()) == 1
        db.session.commit()
    # After a day the key is free again: the same body makes a new reservation.
    fresh = api.reserve(tracking="CJ1", key="day")
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert row_counts(app)["parcels"] == 2


@pytest.mark.parametrize("spacing", ['{"a":1,"b":2}', '{ "b": 2, "a": 1 }'])
def test_the_same_json_with_other_spacing_is_the_same_request(spacing):
    from locker_app.services.idempotency import request_fingerprint

    assert request_fingerprint("POST", "/x", spacing.encode()) == request_fingerprint("POST", "/x", b'{"a":1,"b":2}')
