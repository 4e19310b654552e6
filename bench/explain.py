"""EXPLAIN ANALYZE of every SELECT that the hot requests issue, captured as the service runs them.

Called by `python -m bench --explain` on the large data set: a reservation, a deposit, a kiosk pickup and the
district occupancy, each through the real app in this process, with every SELECT explained on the same
connection, inside the same transaction, with the same parameters.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event

from . import database, occupancy
from .database import PEPPER, Seeded, courier_token, district, kiosk_token, site_code


def explain(schema: str, seeded: Seeded) -> list[tuple[str, str, str]]:
    """(request, statement, plan) for each SELECT."""
    from locker_app import create_app
    from locker_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database.sqlalchemy_url(database.bench_url(), schema),
                      "SMS_KICK": False, "CODE_PEPPER": PEPPER, "SECRET_KEY": "bench"})
    found: list[tuple[str, str, str]] = []
    current = {"request": ""}

    def before(_conn: Any, cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if current["request"] and statement.lstrip().upper().startswith("SELECT"):
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            found.append((current["request"], " ".join(statement.split()), plan))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
    client = app.test_client()
    courier = {"Authorization": f"Bearer {courier_token(2)}"}

    current["request"] = "POST reservations"
    site = site_code(seeded.sites)
    answer = client.post(f"/api/v1/sites/{site}/reservations", headers={**courier, "Idempotency-Key": uuid.uuid4().hex},
                         json={"tracking_number": "EXPLAIN-1", "recipient_phone": "010-4000-0001", "size": "S"})
    assert answer.status_code == 201, answer.get_json()
    current["request"] = "POST deposit"
    parcel_id = answer.get_json()["parcel_id"]
    answer = client.post(f"/api/v1/parcels/{parcel_id}/deposit", headers={**courier, "Idempotency-Key": "x-1"})
    assert answer.status_code == 200, answer.get_json()
    current["request"] = "POST kiosk pickup"
    site_id, known_id, code = seeded.known[0]
    answer = client.post("/kiosk/v1/pickup", json={"code": code},
                         headers={"Authorization": f"Bearer {kiosk_token(site_id)}"})
    assert answer.status_code == 200, answer.get_json()
    database.reset_picked_up(schema, [known_id])
    current["request"] = "occupancy of one district"
    with app.app_context():
        occupancy.summary(db.session(), datetime.now(UTC), district(1))
        db.session.rollback()
        current["request"] = ""
        event.remove(db.engine, "before_cursor_execute", before)
        db.session.remove()
        db.engine.dispose()
    return found


def print_plans(found: list[tuple[str, str, str]]) -> None:
    for request, statement, plan in found:
        print(f"\n-- {request}\n-- {statement[:400]}{' ...' if len(statement) > 400 else ''}\n{plan}")
