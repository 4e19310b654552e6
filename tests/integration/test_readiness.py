"""/healthz says the process is up; /readyz says it can serve: database reachable, schema at head."""

from __future__ import annotations

import socket
from pathlib import Path

import flask_migrate
import pytest

from locker_app import create_app
from locker_app.extensions import db
from tests.conftest import RecordingSender


def _app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SMS_SENDER": RecordingSender(), "TESTING": True})


def test_ready_when_the_database_answers_and_is_migrated(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json()["checks"] == {"database": "ok", "migrations": "current"}
    assert client.get("/healthz").status_code == 200


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends


@pytest.mark.parametrize("url", [
    pytest.param(lambda tmp: f"sqlite:///{tmp}/no/such/dir/locker.db", id="sqlite-missing-dir"),
    pytest.param(lambda tmp: f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/locker?connect_timeout=2",
                 id="postgresql-closed-port"),
])
def test_not_ready_while_the_database_is_down_but_still_alive(url, tmp_path: Path):
    app = _app(url(tmp_path))
    client = app.test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.headers["Content-Type"] == "application/problem+json"
    body = answer.get_json()
    assert body["type"] == "not-ready" and body["checks"] == {"database": "unreachable"}
    assert "postgres@" not in answer.get_data(as_text=True) and "no/such" not in answer.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200



def test_not_ready_while_a_migration_is_pending_then_ready_after_upgrade(empty_db_url):
    app = _app(empty_db_url)
    client = app.test_client()
    assert client.get("/readyz").get_json()["checks"] == {"database": "ok", "migrations": "pending"}
    with app.app_context():
        flask_migrate.upgrade(revision="0001")
    answer = client.get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["checks"]["migrations"] == "pending" and body["schema"] == ["0001"]
    assert "db upgrade" in body["detail"]
    with app.app_context():
        flask_migrate.upgrade()
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_proxy_fix_is_off_unless_configured(make_app):
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "lockers.example"}

    def seen(app) -> tuple[str | None, str]:
        captured = {}

        @app.get("/_seen")
        def _seen():
            from flask import request

            captured.update(addr=request.remote_addr, url=request.url_root)
            return "ok"

        app.test_client().get("/_seen", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})
        return captured["addr"], captured["url"]

    assert seen(make_app()) == ("10.0.0.2", "http://localhost/")
    assert seen(make_app(PROXY_FIX=1)) == ("203.0.113.9", "https://lockers.example/")
