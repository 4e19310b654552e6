"""A lost or refused database connection is a 503 the client may retry, never a 500 with half a change."""

from __future__ import annotations

import logging

from flask import Flask, Response
from sqlalchemy.exc import DBAPIError, OperationalError

from ..extensions import db
from .problems import problem

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 1


def _lost_connection(exc: DBAPIError) -> bool:
    return isinstance(exc, OperationalError) or bool(exc.connection_invalidated)


def register_unavailable_handler(app: Flask) -> None:
    @app.errorhandler(DBAPIError)
    def _database_unavailable(exc: DBAPIError) -> Response:
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the pool drops it
            log.debug("rollback after a lost connection failed", exc_info=True)
        if not _lost_connection(exc):
            log.exception("database error")
            return problem(500, "internal-error", "Something went wrong on our side",
                           "the request was not carried out; it is safe to retry")
        log.warning("database unavailable: %s", type(exc.orig).__name__ if exc.orig else type(exc).__name__)
        return problem(503, "service-unavailable", "The service is unavailable for a moment",
                       "nothing was changed; try again shortly",
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
