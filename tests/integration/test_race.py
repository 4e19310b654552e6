"""Fourteen couriers reserving the last small compartments at once never share a door."""

from __future__ import annotations

import threading
import uuid

import pytest

from locker_app.extensions import db
from locker_app.services import provisioning
from tests.conftest import seed_world

THREADS = 14
ROUNDS = 20


def race(app, token: str, site: str) -> list[tuple[int, dict]]:
    """Fourteen clients, released at the same instant, each asking for a small compartment."""
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def reserve() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/sites/{site}/reservations",
            json={"tracking_number": uuid.uuid4().hex[:12], "recipient_phone": "010-1234-5678", "size": "S"},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        )
        with lock:
            results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=reserve) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_fourteen_threads_get_ten_distinct_compartments_and_four_409s(app):
    world = seed_world(app)
    for round_ in range(ROUNDS):
        site = f"RACE-{round_:02d}"
        with app.app_context():
            provisioning.create_site(db.session(), app.extensions["locker.clock"](), site, "race", "S:4,M:3,L:2,XL:1")
            db.session.commit()

        results = race(app, world.courier_token, site)
        statuses = sorted(status for status, _ in results)
        assert statuses == [201] * 10 + [409] * 4, f"round {round_}: {statuses}"
        labels = [body["compartment"] for status, body in results if status == 201]
        assert len(set(labels)) == 10, f"round {round_}: compartments shared: {sorted(labels)}"
        assert all(body["type"] == "locker-full" for status, body in results if status == 409)


@pytest.mark.parametrize("size", ["S", "M"])
def test_a_compartment_is_never_given_twice_in_the_database_either(app, size):
    """The partial unique index refuses a second active parcel even if the code were wrong."""
    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    world = seed_world(app)
    client = app.test_client()
    response = client.post("/api/v1/sites/MAPO-001/reservations",
                           json={"tracking_number": "T1", "recipient_phone": "010-1234-5678", "size": size},
                           headers={"Authorization": f"Bearer {world.courier_token}", "Idempotency-Key": "k"})
    assert response.status_code == 201
    with app.app_context():
        session = db.session()
        row = session.execute(sa.text("SELECT * FROM parcels")).mappings().one()
        copy = dict(row) | {"id": uuid.uuid4().hex}
        columns = ", ".join(copy)
        values = ", ".join(f":{name}" for name in copy)
        with pytest.raises(IntegrityError):
            session.execute(sa.text(f"INSERT INTO parcels ({columns}) VALUES ({values})"), copy)
            session.flush()
        session.rollback()
