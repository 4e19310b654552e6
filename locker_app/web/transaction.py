"""One transaction per request: views never commit on their own; work waiting for the commit runs after it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Response, current_app, g

from ..extensions import db
from .answers import json_answer


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


def committed_json(payload: object, status: int = 200) -> Response:
    """Commit the request's one transaction, run what waited for it, then answer `payload` as JSON.

    The payload is built before the commit, while the rows it reads are still loaded; an answer is never sent
    for work that did not commit.
    """
    commit()
    return json_answer(payload, status)
