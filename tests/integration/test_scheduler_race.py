"""Two scheduler processes started by mistake: each reminder and each expiry SMS still goes out once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta

from flask import Flask

from locker_app.jobs import DB_JOBS, run_db_job
from tests.integration.storage_helpers import rows, store_parcel

SIZES = ("S", "S", "S", "S", "M", "M", "M", "L", "L", "XL")  # every compartment of MAPO-001 in the test world


def race(apps: list[Flask], job_name: str, now: datetime) -> list[int]:
    """Each app (its own engine and session, like its own process) runs the job at the same moment."""
    job = next(j for j in DB_JOBS if j.name == job_name)
    start = threading.Barrier(len(apps))
    counts: list[int] = []
    errors: list[BaseException] = []

    def run(app: Flask) -> None:
        try:
            with app.app_context():
                start.wait(timeout=10)
                counts.append(run_db_job(job, now))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return counts


def test_two_schedulers_send_each_reminder_and_expiry_once(app, api, sms, clock, make_app):
    deposited = clock()
    # Ten residents (one number each, so the daily cap per number does not interfere).
    parcel_ids = [store_parcel(app, api, sms, size=size, phone=f"010-5555-{n:04d}")[0]
                  for n, size in enumerate(SIZES)]
    schedulers = [make_app(), make_app(), make_app()]

    for after, job in ((timedelta(hours=24), "send-reminders"), (timedelta(hours=42), "send-reminders"),
                       (timedelta(days=7), "expire-parcels")):
        counts = race(schedulers, job, deposited + after)
        assert sum(counts) == len(SIZES), (job, after, counts)

    per_parcel = Counter((r.parcel_id, r.kind) for r in rows(app, "SELECT parcel_id, kind FROM messages"))
    assert {pid: per_parcel[(pid, "reminder")] for pid in parcel_ids} == dict.fromkeys(parcel_ids, 2)
    assert {pid: per_parcel[(pid, "expiry")] for pid in parcel_ids} == dict.fromkeys(parcel_ids, 1)
    events = Counter(r.action for r in rows(app, "SELECT action FROM events"))
    assert events["parcel.reminded"] == 2 * len(SIZES) and events["parcel.expired"] == len(SIZES)
