"""Sends the outbox from the web process right after a commit, so the SMS leaves within seconds.

The scheduler's relay would send it too; this only saves the wait. One background thread per
process at most: a kick that arrives while it runs makes it go round once more.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

log = logging.getLogger(__name__)

_lock = threading.Lock()
_state = {"running": False, "again": False}


def kick_relay() -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("SMS_KICK"):
        return
    with _lock:
        if _state["running"]:
            _state["again"] = True
            return
        _state["running"] = True
    threading.Thread(target=_run, args=(app,), name="sms-kick", daemon=True).start()


def _run(app: Flask) -> None:
    from ..jobs import relay_job

    try:
        while True:
            with _lock:
                _state["again"] = False
            try:
                with app.app_context():
                    relay_job(app.extensions["locker.clock"]())
            except Exception:
                log.exception("sending the outbox after commit failed; the scheduler will retry")
            with _lock:
                if not _state["again"]:
                    _state["running"] = False
                    return
    finally:
        with _lock:
            _state["running"] = False
