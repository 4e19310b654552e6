"""Pooled connections are pinged only after they sat idle (locker_app/database.py): a busy worker saves a round
trip per checkout, and a connection the server dropped while it idled is replaced before a request uses it."""

from __future__ import annotations

from typing import Any

import pytest

import locker_app.database as database
from locker_app.extensions import db
from tests.conftest import terminate_backend


@pytest.fixture
def pings(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    with app.app_context():
        dialect = db.engine.dialect
    seen: list[int] = []
    real = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        seen.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return seen


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Moves the pool's idle clock forward (no sleeping)."""
    offset = [0.0]
    real = database.monotonic
    monkeypatch.setattr(database, "monotonic", lambda: real() + offset[0])

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


def _drop_pooled_connection(app: Any, db_url: str) -> None:
    """End, from outside, the server backend of the connection the app's requests use (the test client's
    requests run one at a time, so the pool holds that one)."""
    with app.app_context():
        pid = db.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        db.session.remove()
    terminate_backend(db_url, pid)


def test_connections_in_steady_use_are_not_pinged(api, pings):
    for _ in range(3):
        parcel_id = api.reserve().get_json()["parcel_id"]
        assert api.deposit(parcel_id).status_code == 200
    assert pings == []


def test_a_connection_that_idled_is_pinged_once_before_use(api, pings, later):
    assert api.reserve().status_code == 201
    later(database.PING_AFTER_IDLE_SECONDS + 1)
    assert api.reserve().status_code == 201
    assert len(pings) == 1  # the request's first checkout; its second follows at once


def test_a_connection_dropped_while_it_idled_is_replaced_before_a_request_uses_it(app, api, backend, db_url, pings,
                                                                                later):
    if backend != "postgresql":
        pytest.skip("terminating a server backend needs PostgreSQL")
    assert api.reserve().status_code == 201
    _drop_pooled_connection(app, db_url)
    later(database.PING_AFTER_IDLE_SECONDS + 1)
    assert api.reserve().status_code == 201
    assert pings


def test_a_connection_dropped_while_in_steady_use_costs_one_clean_503_then_the_pool_is_renewed(app, api, backend,
                                                                                             db_url):
    if backend != "postgresql":
        pytest.skip("terminating a server backend needs PostgreSQL")
    assert api.reserve().status_code == 201
    _drop_pooled_connection(app, db_url)
    failed = api.reserve(key="after-restart")
    assert failed.status_code == 503
    assert failed.headers["Content-Type"] == "application/problem+json"
    assert api.reserve(key="after-restart").status_code == 201  # the courier's retry, same key
