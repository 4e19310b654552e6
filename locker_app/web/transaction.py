"""One transaction per request: views never commit on their own; work waiting for the commit runs after it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app, g

from ..extensions import db


def now() -> datetime:
    return current_app.extensions["locker.clock"]()


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` once the request's transaction has committed (never if it rolls back)."""
    g.setdefault("_after_commit", []).append(action)


def commit() -> None:
    db.session.commit()
    for action in g.pop("_after_commit", []):
        action()


def rollback() -> None:
    db.session.rollback()
    g.pop("_after_commit", None)
