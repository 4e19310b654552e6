"""Timed jobs and the scheduler process that runs them.

Each job is a function of (session, now) that claims its rows with SKIP LOCKED on PostgreSQL
(BEGIN IMMEDIATE serialises them on SQLite), so a second scheduler started by mistake does no harm.
The scheduler runs only in its own process (`flask locker scheduler`), never in a web worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from .extensions import current_session, db
from .models import Parcel
from .services import idempotency, keypad, storage
from .services.occupancy import take_snapshot
from .services.parcels import release_reservation
from .sms.redact import redact_once
from .sms.relay import relay_once

log = logging.getLogger(__name__)


def release_stale_reservations(session: Session, now: datetime) -> int:
    stale = session.scalars(
        select(Parcel)
        .where(Parcel.state == "reserved", Parcel.reserved_until < now)
        .order_by(Parcel.reserved_until)
        .limit(500)
        .with_for_update(skip_locked=True, of=Parcel)
    ).all()
    for parcel in stale:
        release_reservation(session, now, parcel, actor="scheduler")
    return len(stale)


def purge_idempotency_records(session: Session, now: datetime) -> int:
    return idempotency.purge_expired(session, now)


def purge_personal_data(session: Session, now: datetime) -> int:
    days = current_app.config.get("RETENTION_DAYS", storage.DEFAULT_RETENTION.days)
    return storage.purge_personal_data(session, now, timedelta(days=days))


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Session, datetime], int]
    every_seconds: int


DB_JOBS = (
    Job("release-reservations", release_stale_reservations, 60),
    # Expire before reminding, so that a run catching up after an outage does not remind about a
    # parcel that has just gone back to the carrier.
    Job("expire-parcels", storage.expire_parcels, 60),
    Job("send-reminders", storage.send_reminders, 60),
    Job("purge-personal-data", purge_personal_data, 3600),
    Job("purge-idempotency", purge_idempotency_records, 3600),
    Job("purge-keypad-failures", keypad.purge_failures, 3600),
    Job("occupancy-snapshot", take_snapshot, 3600),
)
RELAY_EVERY_SECONDS = 5
VERIFIERS_EVERY_SECONDS = 2


def run_db_job(job: Job, now: datetime) -> int:
    try:
        count = job.run(current_session(), now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if count:
        log.info("job %s: %d rows", job.name, count)
    return count


def status_callback_url() -> str | None:
    public = current_app.config.get("PUBLIC_URL")
    return f"{public}/webhooks/twilio/status" if public else None


def relay_job(now: datetime | None = None) -> int:
    clock = (lambda: now) if now is not None else current_app.extensions["locker.clock"]
    sender = current_app.extensions["locker.sms_sender"]
    try:
        sent = relay_once(current_session(), sender, clock, status_callback_url(),
                          concurrency=current_app.config["SMS_RELAY_CONCURRENCY"])
        if current_app.config.get("TWILIO_REDACT"):
            redact_once(current_session(), sender, clock())
        return sent
    except Exception:
        db.session.rollback()
        raise


def offline_verifiers_job(now: datetime | None = None) -> int:
    """Hash the codes noted since the last run (offline/making.py), in its own low-priority thread."""
    from .offline.making import drain
    from .offline.scheme import params_from
    from .sealing.keys import current_seal_keys

    try:
        clock = (lambda: now) if now is not None else current_app.extensions["locker.clock"]
        return drain(current_session(), clock, params_from(current_app.config),
                     current_seal_keys())
    except Exception:
        db.session.rollback()
        raise


def counted(name: str, run: Callable[[], int], now: Callable[[], datetime]) -> int:
    """Run a job and count the run in job_runs (for /metrics), whether it worked or not."""
    from .services.job_runs import record_run

    started, ok = time.monotonic(), False
    try:
        result = run()
        ok = True
        return result
    finally:
        try:
            record_run(current_session(), now(), name, time.monotonic() - started, ok)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.warning("could not count a run of job %s", name, exc_info=True)


def run_all_once(now: datetime) -> dict[str, int]:
    """Every job once, as of `now`: catching up after an outage, and tests."""
    def at() -> datetime:
        return now

    done = {job.name: counted(job.name, lambda job=job: run_db_job(job, now), at) for job in DB_JOBS}  # type: ignore[misc]
    done["sms-relay"] = counted("sms-relay", lambda: relay_job(now), at)
    done["offline-verifiers"] = counted("offline-verifiers", lambda: offline_verifiers_job(now), at)
    return done


def run_scheduler(app: Flask) -> None:  # pragma: no cover - exercised by hand and by `make run`
    from apscheduler.schedulers.blocking import BlockingScheduler

    # APScheduler logs every run at INFO; with the relay every few seconds that drowns the SMS lines.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

    scheduler = BlockingScheduler(
        timezone="UTC",
        # coalesce: after a pause, run a missed job once rather than once per missed interval.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )

    def in_app(fn: Callable[[], object], name: str) -> Callable[[], None]:
        def run() -> None:
            started = time.monotonic()
            with app.app_context():
                try:
                    counted(name, fn, app.extensions["locker.clock"])  # type: ignore[arg-type]
                except Exception:
                    log.exception("job %s failed", name)
                finally:
                    db.session.remove()
            log.debug("job %s took %.3fs", name, time.monotonic() - started)

        return run

    def db_job(job: Job) -> Callable[[], object]:
        return lambda: run_db_job(job, app.extensions["locker.clock"]())

    for job in DB_JOBS:
        scheduler.add_job(in_app(db_job(job), job.name), "interval", seconds=job.every_seconds, id=job.name,
                          name=job.name, next_run_time=datetime.now(UTC))
    scheduler.add_job(in_app(relay_job, "sms-relay"), "interval", seconds=RELAY_EVERY_SECONDS, id="sms-relay",
                      name="sms-relay")
    scheduler.add_job(in_app(offline_verifiers_job, "offline-verifiers"), "interval", seconds=VERIFIERS_EVERY_SECONDS,
                      id="offline-verifiers", name="offline-verifiers")
    log.info("scheduler started with %d jobs", len(DB_JOBS) + 2)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
