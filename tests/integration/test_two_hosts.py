"""Two web hosts (two apps, each with its own engine and pool) over one database behave as one:
nothing that must be shared lives in a process."""

from __future__ import annotations

import threading
import uuid

import pytest

from locker_app.extensions import db
from locker_app.services import provisioning
from tests.conftest import Api, row_counts, seed_world


@pytest.fixture
def hosts(make_app):
    first, second = make_app(), make_app()
    world = seed_world(first)
    return first, second, Api(first.test_client(), world), Api(second.test_client(), world)


def _engines(*apps):
    engines = []
    for app in apps:
        with app.app_context():
            engines.append(db.engine)
    return engines


def test_each_host_has_its_own_engine(hosts):
    first, second, _, _ = hosts
    one, two = _engines(first, second)
    assert one is not two and one.pool is not two.pool


def test_a_keypad_back_off_started_on_one_host_holds_on_the_other(hosts, clock):
    _, _, one, two = hosts
    for attempt in range(5):
        assert (one if attempt % 2 else two).pickup(f"{attempt:08d}").status_code == 403
    for host in (one, two):
        paused = host.pickup("99999999")
        assert paused.status_code == 429 and paused.headers["Retry-After"] == "60"
    clock.advance(seconds=60)
    assert two.pickup("99999999").status_code == 403
    assert one.pickup("99999999").headers["Retry-After"] == "120"


def test_a_retry_landing_on_the_other_host_replays_the_first_answer(hosts):
    first, _, one, two = hosts
    answer = one.reserve(tracking="CJ1", key="retry-1")
    assert answer.status_code == 201
    before = row_counts(first)
    again = two.reserve(tracking="CJ1", key="retry-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == answer.get_json()
    assert two.reserve(tracking="CJ2", key="retry-1").status_code == 422
    assert row_counts(first) == before


def test_a_duplicate_on_the_other_host_while_the_first_runs_gets_409(hosts, held_reservations):
    first, _, one, two = hosts
    entered, release = held_reservations
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(first=one.reserve(tracking="CJ9", key="dup")))
    thread.start()
    assert entered.wait(20)
    try:
        duplicate = two.reserve(tracking="CJ9", key="dup")
        assert duplicate.status_code == 409 and duplicate.get_json()["type"] == "idempotency-key-in-use"
    finally:
        release.set()
        thread.join(20)
    assert result["first"].status_code == 201
    assert row_counts(first)["parcels"] == 1
    assert two.reserve(tracking="CJ9", key="dup").get_json() == result["first"].get_json()


THREADS = 14


@pytest.mark.parametrize("round_", range(5))
def test_fourteen_couriers_on_two_hosts_get_ten_distinct_compartments(hosts, round_):
    first, second, one, _ = hosts
    with first.app_context():
        provisioning.create_site(db.session(), first.extensions["locker.clock"](), "RACE-2H", "race",
                                 "S:4,M:3,L:2,XL:1")
        db.session.commit()
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def reserve(app) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/sites/RACE-2H/reservations",
            json={"tracking_number": uuid.uuid4().hex[:12], "recipient_phone": "010-1234-5678", "size": "S"},
            headers={"Authorization": f"Bearer {one.world.courier_token}", "Idempotency-Key": uuid.uuid4().hex},
        )
        with lock:
            results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=reserve, args=((first, second)[n % 2],)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(status for status, _ in results) == [201] * 10 + [409] * 4
    labels = [body["compartment"] for status, body in results if status == 201]
    assert len(set(labels)) == 10, sorted(labels)
