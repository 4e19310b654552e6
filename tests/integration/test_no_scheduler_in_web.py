"""The web app never runs the scheduler: jobs run in their own process only."""

from __future__ import annotations

import sys
import threading


def test_create_app_and_requests_start_no_scheduler_thread(make_app):
    before = {t.ident for t in threading.enumerate()}
    app = make_app(SMS_KICK=False)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/returns").status_code == 401
    # The in-memory rate-limit store's 10 ms expiry timer (limits.MemoryStorage) is no scheduler.
    started = [t for t in threading.enumerate() if t.ident not in before and not isinstance(t, threading.Timer)]
    assert started == [], started
    assert not any(name.startswith("apscheduler.schedulers") for name in sys.modules)
    assert not any("APScheduler" in t.name or "scheduler" in t.name.lower() for t in threading.enumerate())
