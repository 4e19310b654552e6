"""Admin remote opens, carried out by the agent itself, so they work with the browser closed."""

from __future__ import annotations

import logging
import threading
from typing import Any

from .gateway import Doors
from .uplink import ServiceUnreachable, Uplink

log = logging.getLogger(__name__)

POLL_EVERY = 2.0


class CommandRunner:
    def __init__(self, uplink: Uplink, doors: Doors, *, poll_every: float = POLL_EVERY) -> None:
        self.uplink = uplink
        self.doors = doors
        self.poll_every = poll_every
        # Results not yet acknowledged: a command is carried out once even if its ack must be retried.
        self._results: dict[int, str] = {}
        self._done: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="locker-commands", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def run_once(self) -> None:
        answer = self.uplink.get_json("/kiosk/v1/commands")
        data: Any = answer.json()
        if answer.status != 200 or not isinstance(data, dict) or not isinstance(data.get("commands"), list):
            return
        for command in data["commands"]:
            if not isinstance(command, dict) or not isinstance(command.get("id"), int):
                continue
            number = command["id"]
            if number in self._done:
                continue
            if number not in self._results:
                if command.get("kind") != "open" or not isinstance(command.get("compartment"), str):
                    log.warning("command %d: unknown kind %r", number, command.get("kind"))
                    continue
                log.info("remote open of %s (command %d)", command["compartment"], number)
                self._results[number] = self.doors.open(command["compartment"])
            ack = self.uplink.post_json(f"/kiosk/v1/commands/{number}/ack", {"result": self._results[number]})
            if ack.status < 500:
                if len(self._done) > 10_000:  # commands expire after 5 minutes: old ids never come back
                    self._done.clear()
                self._done.add(number)
                self._results.pop(number, None)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except ServiceUnreachable:
                pass
            except Exception:
                log.exception("remote-open poll failed")
            self._stop.wait(self.poll_every)
