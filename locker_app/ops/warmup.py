"""A new web worker's first-request costs, paid before it takes traffic (gunicorn's post_worker_init).

A worker's first request used to configure every ORM mapper, open the pool's first database connection and
compile the statements it runs: 70 ms alone in process, 250-360 ms in a morning wave, where the first pickup on
each worker of the kiosks' pool was the wave's slowest (bench/README.md, "Issue 18"). Workers are recycled
every ~2,000 requests, so in production that is one slow door every few minutes per worker, not once a boot.
Only reads, with values that match no row: the warm-up changes nothing and writes no access-log line.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

from ..extensions import db
from ..web import auth

log = logging.getLogger(__name__)


# A database that hangs (a blackholed host, a table locked by a migration) must not hold the worker past
# gunicorn's boot timeout, or the master would kill and respawn it over and over: the reads give up after this.
DATABASE_SECONDS = 5.0


def warm(app: Flask) -> float:
    """Prepare `app` for its first request; returns the seconds it took. A database that refuses or does not answer
    in DATABASE_SECONDS is no reason to keep the worker from starting (/readyz says so): the first request then pays
    as before."""
    started = time.perf_counter()
    if not isinstance(app, Flask) or "sqlalchemy" not in app.extensions:
        return 0.0  # an app that is not ours, served with this conf (the bench's bare Flask baseline, say)
    configure_mappers()
    reads = threading.Thread(target=_database_reads, args=(app,), name="warm-up", daemon=True)
    reads.start()
    reads.join(DATABASE_SECONDS)
    if reads.is_alive():
        log.warning("warm-up: the database did not answer within %.0f s", DATABASE_SECONDS)
    return time.perf_counter() - started


def _database_reads(app: Flask) -> None:
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
            # Every API request authenticates first: the courier's and the kiosk's lookups, compiled and cached.
            for statement in auth.BY_DIGEST.values():
                db.session.execute(statement, {"digest": ""})
        except (SQLAlchemyError, OSError) as exc:
            log.warning("warm-up: the database did not answer (%s)", type(exc).__name__)
        finally:
            db.session.rollback()
            db.session.remove()
