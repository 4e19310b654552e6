"""A real service on a real port, the board simulator on a TCP socket, and the agent between them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from locker_agent.doormap import DoorMap
from locker_agent.main import Agent, Settings
from locker_agent.sim import Simulator
from locker_app.extensions import db
from tests.conftest import code_from

# The test site's first compartments, on two boards; A10 is left unmapped on purpose.
DOORS = "A01=0:3,A02=0:4,A03=0:5,A04=1:0,A05=1:1,A06=1:2,A07=0:6,A08=0:7,A09=1:3"


@dataclass
class Live:
    app: Flask
    base: str


def serve(app: Flask) -> Iterator[Live]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Live(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()


def start_sim(boards: int = 2) -> tuple[Simulator, str]:
    sim = Simulator(boards)
    host, port = sim.listen("127.0.0.1", 0)
    return sim, f"socket://{host}:{port}"


def start_agent(server: str, token: str, board: str, doors: str = DOORS, **overrides: Any) -> Agent:
    settings = Settings(server=server, kiosk_token=token, board=board, doors=DoorMap.parse(doors),
                        listen=("127.0.0.1", 0), **overrides)
    agent = Agent(settings)
    agent.start()
    return agent


def wait_for(check: Callable[[], Any], timeout: float = 5.0, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def rows(app: Flask, sql: str, **params: Any) -> list[Any]:
    with app.app_context():
        found = list(db.session.execute(sa.text(sql), params).all())
        db.session.rollback()
        return found


def detail(row: Any) -> dict[str, Any]:
    """An event's JSON detail, whichever way the database driver hands it back."""
    value = row.detail
    return json.loads(value) if isinstance(value, str) else dict(value)


def stored_parcel(app: Flask, api: Any, sms: Any, size: str = "S") -> tuple[dict[str, Any], str]:
    from locker_app.jobs import relay_job

    parcel = api.reserve(size=size).get_json()
    assert api.deposit(parcel["parcel_id"]).status_code == 200
    with app.app_context():
        relay_job()
    return parcel, code_from(sms.sent[-1]["body"])


def unlocks(sim: Simulator) -> list[str]:
    return [frame.hex(" ") for frame in sim.received if frame[2] == 0x31]


@pytest.fixture
def live(app: Flask, world: Any) -> Iterator[Live]:
    yield from serve(app)
