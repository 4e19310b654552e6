"""A local stand-in for Twilio's Messages API, so the real SDK can be tested without the internet."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

_MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")
_MESSAGE = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages/(?P<message>SM\w+)\.json$")


@dataclass
class Behaviour:
    """What the next requests get: accept, a Twilio error code, a 500, or no answer at all."""

    mode: str = "accept"  # accept | error | server-error | hang
    error_code: int = 21211
    error_status: int = 400


@dataclass
class FakeTwilio:
    behaviour: Behaviour = field(default_factory=Behaviour)
    received: list[dict[str, Any]] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    release_hang: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    auth_headers: list[str] = field(default_factory=list)
    # Every create request, whatever it was answered (received holds only the accepted ones).
    attempts: list[dict[str, Any]] = field(default_factory=list)
    # Message updates: {"sid", "Body"}; Body "" is a redaction.
    updates: list[dict[str, Any]] = field(default_factory=list)
    update_behaviour: Behaviour = field(default_factory=Behaviour)
    # Behaviour for particular recipients ("To"), so one concurrent batch can meet several answers.
    by_number: dict[str, Behaviour] = field(default_factory=dict)
    # Seconds before each create is answered: Twilio from Korea takes about 0.25 s (bench/wave.py).
    delay: float = 0.0

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout)


class _Server(ThreadingHTTPServer):
    # The default listen backlog of 5 overflows at 8 concurrent senders: connection resets and 1 s SYN retries
    # that measure the kernel, not the relay (bench/relay.py sends at concurrency).
    request_queue_size = 128
    daemon_threads = True


def start_fake_twilio() -> tuple[FakeTwilio, ThreadingHTTPServer]:
    fake = FakeTwilio()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _update(self, match: re.Match[str], form: dict[str, str]) -> None:
            behaviour = fake.update_behaviour
            if behaviour.mode == "server-error":
                self._send(500, {"code": 20500, "message": "internal error", "status": 500})
                return
            if behaviour.mode == "error":
                self._send(behaviour.error_status, {"code": behaviour.error_code, "message": "rejected",
                                                    "status": behaviour.error_status})
                return
            sid = match.group("message")
            fake.updates.append({"sid": sid, **form})
            self._send(200, {"sid": sid, "account_sid": match.group("sid"), "body": form.get("Body"),
                             "status": "delivered", "num_segments": "1"})

        def do_POST(self) -> None:
            match = _MESSAGES.match(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}
            update = _MESSAGE.match(self.path)
            if update:
                self._update(update, form)
                return
            if not match:
                self._send(404, {"code": 20404, "message": "not found", "status": 404})
                return
            fake.auth_headers.append(self.headers.get("Authorization", ""))
            behaviour = fake.by_number.get(form.get("To", ""), fake.behaviour)
            fake.attempts.append({"mode": behaviour.mode, **form})
            mode = behaviour.mode
            if mode == "hang":
                fake.release_hang.wait(30)
                return
            if mode == "server-error":
                self._send(500, {"code": 20500, "message": "internal error", "status": 500})
                return
            if mode == "error":
                status = behaviour.error_status
                self._send(status, {"code": behaviour.error_code, "message": "rejected", "status": status,
                                    "more_info": "https://www.twilio.com/docs/errors"})
                return
            if fake.delay:
                time.sleep(fake.delay)
            sid = "SM" + uuid.uuid4().hex
            with fake.arrived:
                fake.received.append({"sid": sid, "accepted_at": time.time(), **form})
                fake.arrived.notify_all()
            self._send(201, {
                "sid": sid, "account_sid": match.group("sid"), "to": form.get("To"), "from": form.get("From"),
                "body": form.get("Body"), "status": "queued", "num_segments": "2", "direction": "outbound-api",
                "date_created": None, "uri": self.path.replace(".json", f"/{sid}.json"),
            })

    server = _Server(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server


def sign(auth_token: str, url: str, params: dict[str, str]) -> str:
    """The X-Twilio-Signature Twilio would send with a callback to `url` carrying `params`."""
    from twilio.request_validator import RequestValidator

    return str(RequestValidator(auth_token).compute_signature(url, params))


def status_params(sid: str, status: str, error_code: int | None = None) -> dict[str, str]:
    """The form fields of a Twilio message status callback."""
    params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
              "AccountSid": "AC" + "1" * 32, "From": "+15005550006", "To": "+821012345678", "ApiVersion": "2010-04-01"}
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    return params
