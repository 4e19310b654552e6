"""The agent's HTTP client for the service, and the reporter that delivers door events to it.

requests, because its Session keeps a pooled keep-alive connection to the service (one TLS handshake,
not one per poll, on a kiosk's mobile link) and takes connect and read timeouts apart; it is already a
dependency of the service (through the Twilio SDK), so the kiosk installs nothing more.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests

from .answers import Answer

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
# Headers of the page's request the service needs; the rest (cookies, the browser's own) stay local.
FORWARDED = ("Content-Type", "Accept", "Accept-Language", "Idempotency-Key", "X-Courier-Session")
RETURNED = ("Content-Type", "Retry-After", "Cache-Control")


class ServiceUnreachable(Exception):
    """No HTTP answer from the service at all (network down, DNS, refused, timed out)."""


class Uplink:
    def __init__(self, server: str, token: str, *, connect_timeout: float = CONNECT_TIMEOUT,
                 read_timeout: float = READ_TIMEOUT) -> None:
        self.server = server.rstrip("/")
        self._token = token
        self._timeout = (connect_timeout, read_timeout)
        self._session = requests.Session()
        self._session.trust_env = False  # a proxy from the kiosk's environment must not see the token
        self.online = False
        self.last_sync: datetime | None = None

    def request(self, method: str, path: str, *, body: bytes | None = None, query: str = "",
                headers: dict[str, str] | None = None) -> Answer:
        wanted = {name.lower(): name for name in FORWARDED}
        sent = {wanted[k.lower()]: v for k, v in (headers or {}).items() if k.lower() in wanted}
        sent["Authorization"] = f"Bearer {self._token}"
        url = f"{self.server}{path}" + (f"?{query}" if query else "")
        try:
            response = self._session.request(method, url, data=body, headers=sent, timeout=self._timeout,
                                             allow_redirects=False)
        except requests.RequestException as error:
            if self.online:
                log.warning("service unreachable: %s", type(error).__name__)
            self.online = False
            raise ServiceUnreachable(str(error)) from error
        self.online = True
        self.last_sync = datetime.now(UTC)
        kept = {k: response.headers[k] for k in RETURNED if k in response.headers}
        return Answer(response.status_code, response.content, kept)

    def post_json(self, path: str, body: dict[str, Any] | None = None) -> Answer:
        import json

        return self.request("POST", path, body=json.dumps(body or {}).encode(),
                            headers={"Content-Type": "application/json", "Accept": "application/json"})

    def get_json(self, path: str) -> Answer:
        return self.request("GET", path, headers={"Accept": "application/json"})


def door_path(label: str, what: str) -> str:
    return f"/kiosk/v1/doors/{quote(label, safe='')}/{what}"


class Reporter:
    """Door events to the service, in order, from a queue: a report never blocks a poll or a pickup,
    and one made while the service is unreachable is sent when it comes back."""

    RETRY_FIRST, RETRY_MAX = 1.0, 30.0

    def __init__(self, uplink: Uplink, *, limit: int = 1000) -> None:
        self.uplink = uplink
        self._queue: queue.Queue[tuple[str, dict[str, Any] | None] | None] = queue.Queue(limit)
        self._thread = threading.Thread(target=self._run, name="locker-reporter", daemon=True)
        self._stop = threading.Event()
        self.sent: deque[str] = deque(maxlen=100)  # the last paths delivered, newest last (for logs and tests)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _put(self, path: str, body: dict[str, Any] | None) -> None:
        try:
            self._queue.put_nowait((path, body))
        except queue.Full:
            log.error("door report queue full; dropped %s", path)

    def closed(self, label: str) -> None:
        self._put(door_path(label, "closed"), None)

    def fault(self, label: str, reason: str) -> None:
        self._put(door_path(label, "fault"), {"reason": reason[:200]})

    def alert(self, label: str, kind: str, detail: str) -> None:
        self._put(door_path(label, "alert"), {"kind": kind, "reason": detail[:200]})

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            path, body = item
            delay = self.RETRY_FIRST
            while not self._stop.is_set():
                try:
                    answer = self.uplink.post_json(path, body)
                except ServiceUnreachable:
                    self._stop.wait(delay)
                    delay = min(delay * 2, self.RETRY_MAX)
                    continue
                if answer.status >= 500:
                    self._stop.wait(delay)
                    delay = min(delay * 2, self.RETRY_MAX)
                    continue
                if answer.status >= 400:
                    # An unknown label, a bad body: sending it again cannot help.
                    log.error("the service refused %s: %d", path, answer.status)
                self.sent.append(path)
                break
