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

    def kick(self) -> None:
        with self._cond:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._run, name="sms-kick", daemon=True).start()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no kick is sending (tests, and a clean shutdown); False if it did not finish in time."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._running, timeout)

    def _run(self) -> None:
        from ..jobs import relay_job

        try:
            while True:
                with self._cond:
                    self._again = False
                try:
                    with self.app.app_context():
                        relay_job()
                except Exception:
                    log.exception("sending the outbox after commit failed; the scheduler will retry")
                with self._cond:
                    if not self._again:
                        return
        finally:
            with self._cond:
                self._running = False
                self._cond.notify_all()


def kick_relay() -> None:
    if current_app.config.get("SMS_KICK"):
        current_app.extensions["locker.sms_kicker"].kick()
