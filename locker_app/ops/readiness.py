"""/readyz: may this process take traffic? The database answers and its schema is at the migrations' head.

/healthz (in create_app) only says the process is up; a load balancer should route by /readyz.
"""

from __future__ import annotations

import logging
from typing import Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .. import MIGRATIONS
from ..extensions import db
from ..web.problems import problem

log = logging.getLogger(__name__)
bp = Blueprint("ops_readiness", __name__)


def expected_heads() -> set[str]:
    """The head revisions of the migrations shipped with this code; read once per process."""
    heads = current_app.extensions.get("locker.migration_heads")
    if heads is None:
        heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
        current_app.extensions["locker.migration_heads"] = heads
    return set(heads)


def _not_ready(detail: str, **extra: Any) -> Response:
    response = problem(503, "not-ready", "The service is not ready to take traffic", detail, **extra)
    response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/readyz")
def readyz() -> Response:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except (SQLAlchemyError, OSError) as exc:
        # The exception's text may hold the database URL; the type is enough to start looking.
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        return _not_ready("the database cannot be reached", checks={"database": "unreachable"})
    expected = expected_heads()
    if current != expected:
        log.warning("readiness: schema at %s, code expects %s", sorted(current), sorted(expected))
        return _not_ready("database migrations are pending: run `flask --app wsgi db upgrade`",
                          checks={"database": "ok", "migrations": "pending"},
                          schema=sorted(current), expected=sorted(expected))
    response = jsonify({"status": "ready", "checks": {"database": "ok", "migrations": "current"},
                        "schema": sorted(current)})
    response.headers["Cache-Control"] = "no-store"
    return response
