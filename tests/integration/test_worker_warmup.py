"""A new web worker warms up before its first request (deploy/gunicorn.conf.py's post_worker_init): that request
then opens no database connection of its own. Without it the first pickup on each new worker was the slowest of a
morning wave (bench/README.md, "Issue 18")."""

from __future__ import annotations

from sqlalchemy import event

from locker_app.extensions import db
from locker_app.ops.warmup import warm
from tests.conftest import seed_world


def _connections_opened_by_first_pickup(app, kiosk_token: str) -> int:
    opened = []
    with app.app_context():
        event.listen(db.engine, "connect", lambda *_: opened.append(1))
    answer = app.test_client().post("/kiosk/v1/pickup", json={"code": "00000000"},
                                    headers={"Authorization": f"Bearer {kiosk_token}"})
    assert answer.status_code == 403, answer.get_json()  # a wrong code, refused as one
    return len(opened)


def test_a_warmed_up_worker_serves_its_first_pickup_on_a_connection_it_already_has(make_app):
    seeding = make_app()
    world = seed_world(seeding)
    with seeding.app_context():
        db.engine.dispose()
    cold, warmed = make_app(), make_app()
    assert warm(warmed) >= 0
    assert _connections_opened_by_first_pickup(cold, world.kiosk_token) == 1  # what the warm-up saves
    assert _connections_opened_by_first_pickup(warmed, world.kiosk_token) == 0


def test_a_database_that_refuses_does_not_keep_a_worker_from_starting_and_says_so(make_app, caplog):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with caplog.at_level("WARNING", logger="locker_app.ops.warmup"):
        warm(app)
    assert [r.getMessage() for r in caplog.records] == ["warm-up: the database did not answer (OperationalError)"]


def test_a_database_that_hangs_does_not_hold_the_worker_past_the_warm_up_bound(make_app, monkeypatch):
    """A listening socket that never answers PostgreSQL's startup: without the bound the warm-up would wait until
    gunicorn's boot timeout killed the worker, and the next one the same, over and over."""
    import socket
    import time

    from locker_app.ops import warmup

    monkeypatch.setattr(warmup, "DATABASE_SECONDS", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        app = make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://nobody@127.0.0.1:{port}/none")
        started = time.monotonic()
        warm(app)
        assert time.monotonic() - started < 10  # returned at the bound, not when the database gave up


def test_a_warm_up_that_fails_leaves_the_worker_booting(monkeypatch):
    """gunicorn treats an exception in post_worker_init as a failed boot and the master then stops the service."""
    import runpy
    from pathlib import Path

    from locker_app.ops import warmup

    hooks = runpy.run_path(str(Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"))

    def broken(_app):
        raise RuntimeError("mapper trouble")

    monkeypatch.setattr(warmup, "warm", broken)
    said = []

    class Log:
        def warning(self, message, *args):
            said.append(message % args)

        info = warning

    class Worker:
        pid, wsgi, log = 4242, None, Log()

    hooks["post_worker_init"](Worker())
    assert said == ["Worker 4242 did not warm up (RuntimeError); its first request pays for it"]
