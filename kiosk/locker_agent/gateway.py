"""The page's /kiosk/v1 calls, passed to the service with the kiosk token, and the doors they open."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from .answers import Answer
from .bus import DoorOpener
from .doormap import DoorMap
from .offline import OfflinePolicy
from .uplink import Reporter, ServiceUnreachable, Uplink

log = logging.getLogger(__name__)

PICKUP = "/kiosk/v1/pickup"
DEPOSITS = "/kiosk/v1/courier/deposits"


class Doors:
    """Open compartments by label, report what failed as a door fault, answer opened|failed."""

    def __init__(self, doors: DoorMap, opener: DoorOpener, reporter: Reporter) -> None:
        self.map = doors
        self.opener = opener
        self.reporter = reporter

    def open(self, label: str) -> str:
        lock = self.map.lock_of(label)
        if lock is None:
            log.error("door %s is not mapped to a lock", label)
            self.reporter.fault(label, "the locker agent has no lock for this door")
            return "failed"
        result = self.opener.open(lock.board, lock.lock)
        if not result.opened:
            log.warning("door %s did not open: %s", label, result.reason)
            self.reporter.fault(label, f"did not open: {result.reason}")
        elif result.already_open:
            log.warning("door %s was already open before the pulse", label)
        return result.word

    def open_all(self, labels: list[str]) -> dict[str, str]:
        # Doors on different boards open side by side; the opener keeps one board to one pulse at a time.
        results: dict[str, str] = {}
        threads = []
        for label in dict.fromkeys(labels):
            def run(label: str = label) -> None:
                results[label] = self.open(label)
            thread = threading.Thread(target=run, daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(30)
        return {label: results.get(label, "failed") for label in dict.fromkeys(labels)}


def _labels(path: str, method: str, status: int, data: Any) -> list[str] | None:
    """The doors an answer asks us to open, or None when it asks for none."""
    if method != "POST" or not isinstance(data, dict):
        return None
    if path == PICKUP and status == 200:
        found = data.get("compartments")
        return [x for x in found if isinstance(x, str)] if isinstance(found, list) else []
    if path == DEPOSITS and status == 201:
        found = data.get("compartment")
        return [found] if isinstance(found, str) else []
    return None


class Gateway:
    def __init__(self, uplink: Uplink, doors: Doors, offline: OfflinePolicy | None = None) -> None:
        self.uplink = uplink
        self.doors = doors
        self.offline = offline or OfflinePolicy()

    def forward(self, method: str, path: str, query: str, body: bytes, headers: dict[str, str]) -> Answer:
        try:
            answer = self.uplink.request(method, path, body=body or None, query=query, headers=headers)
        except ServiceUnreachable:
            return self.offline.answer(method, path, body)
        labels = _labels(path, method, answer.status, answer.json())
        if labels is None:
            return answer
        data = answer.json()
        data["doors"] = self.doors.open_all(labels)
        answer.body = json.dumps(data, ensure_ascii=False).encode()
        answer.headers["Content-Type"] = "application/json"
        return answer
