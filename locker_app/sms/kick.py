"""Sends the outbox from the web process right after a commit, so the SMS leaves within seconds.

The scheduler's relay would send it too; this only saves the wait. One background thread per app
at most: a kick that arrives while it runs makes it go round once more.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

log = logging.getLogger(__name__)


class Kicker:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._cond = threading.Condition()
        self._running = False
        self._again = False
        self._closed = False

    def kick(self) -> None:
        with self._cond:
            if self._closed:
                return  # the worker is leaving: the scheduler's relay sends it
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._run, name="sms-kick", daemon=True).start()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no kick is sending (tests, and a clean shutdown); False if it did not finish in time."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._running, timeout)

    def close(self, timeout: float) -> bool:
        """Take no more kicks and wait, at most `timeout` seconds, for the batch being sent; False if it is still
        going. A worker that exits (recycled after max_requests, or the service stopping) would otherwise end this
        daemon thread between a message's claim and its outcome, and the message would wait out the relay's lease
        (5 minutes; the wave bench measured SMS 7.5 s late at p99, two still unsent after 3 minutes)."""
        with self._cond:
            self._closed = True
            self._again = False
        return self.wait_idle(timeout)

    def _run(self) -> None:
        from ..jobs import relay_job

        try:
            while True:
                with self._cond:
                    self._again = False
                    if self._closed:
                        return  # closed just after this thread was started: nothing claimed yet
                try:
                    with self.app.app_context():
                        relay_job()
                except Exception:
                    log.exception("sending the outbox after commit failed; the scheduler will retry")
                with self._cond:
                    if not self._again or self._closed:
                        return
        finally:
            with self._cond:
                self._running = False
                self._cond.notify_all()


def kick_relay() -> None:
    if current_app.config.get("SMS_KICK"):
        current_app.extensions["locker.sms_kicker"].kick()


def close_kicker(app: Flask | None, timeout: float) -> bool:
    """For a leaving worker (deploy/gunicorn.conf.py's worker_exit): see Kicker.close."""
    kicker = app.extensions.get("locker.sms_kicker") if isinstance(app, Flask) else None
    return kicker.close(timeout) if kicker is not None else True
