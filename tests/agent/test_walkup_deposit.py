"""The courier's walk-up deposit through the agent (design.md "Courier at the touchscreen"): a 201 with
"compartment" opens that door. The service's endpoint is being built on another branch, so a small
stand-in that answers as the contract says plays the service here; the boards are the real simulator."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from .support import start_agent, unlocks


class Contract:
    """Answers POST /kiosk/v1/courier/deposits as design.md says, and keeps what it was sent."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.answer: tuple[int, dict[str, Any]] = (201, {"parcel_id": "p-1", "compartment": "A05", "size": "M",
                                                         "state": "reserved"})


@pytest.fixture
def service() -> Iterator[tuple[Contract, str]]:
    contract = Contract()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, value: Any) -> None:
            data = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if status < 400 else "application/problem+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._reply(200, {"commands": []})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            contract.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
            if self.path == "/kiosk/v1/courier/deposits":
                self._reply(*contract.answer)
            else:
                self._reply(200, {})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield contract, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _deposit(agent: Any) -> requests.Response:
    return requests.post(f"{agent.url}kiosk/v1/courier/deposits", timeout=15,
                         headers={"x-courier-session": "sess-1", "Idempotency-Key": "k-1"},
                         json={"recipient_phone": "010-1234-5678", "size": "M"})


def test_a_walk_up_deposit_opens_its_compartment_and_says_so(service, sim):
    contract, base = service
    agent = start_agent(base, "kiosk-token", sim[1])
    try:
        answer = _deposit(agent)
        assert answer.status_code == 201
        assert answer.json()["compartment"] == "A05" and answer.json()["doors"] == {"A05": "opened"}
        assert unlocks(sim[0]) == ["02 11 31 03 47"]  # A05 is board 1 lock 1
        [sent] = [s for s in contract.seen if s["path"] == "/kiosk/v1/courier/deposits"]
        assert sent["headers"]["Authorization"] == "Bearer kiosk-token"
        assert sent["headers"]["X-Courier-Session"] == "sess-1" and sent["headers"]["Idempotency-Key"] == "k-1"
        assert json.loads(sent["body"]) == {"recipient_phone": "010-1234-5678", "size": "M"}
    finally:
        agent.stop()


def test_a_full_site_opens_nothing(service, sim):
    contract, base = service
    contract.answer = (409, {"type": "locker-full", "title": "full", "status": 409, "alternatives": []})
    agent = start_agent(base, "kiosk-token", sim[1])
    try:
        answer = _deposit(agent)
        assert answer.status_code == 409 and "doors" not in answer.json()
        assert not unlocks(sim[0])
    finally:
        agent.stop()
