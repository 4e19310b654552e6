"""Doors watched: every board polled about twice a second; each change is reported once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from .boards import BoardError
from .bus import POLL, BusActor
from .doormap import DoorMap
from .frames import BoardStatus

log = logging.getLogger(__name__)

POLL_EVERY = 0.5
LEFT_OPEN_AFTER = 180.0  # seconds; a resident takes a parcel in well under a minute
# A door that opens this soon after our own pulse was opened by us, not forced.
EXPECT_WINDOW = 10.0
SILENT_EVERY = 4  # rounds between two polls of a board that does not answer


@dataclass
class Door:
    known: str = "unknown"  # last seen: "open" | "closed" | "unknown"
    answering: bool = False
    since: float = field(default_factory=time.monotonic)
    expected_until: float = 0.0
    left_open_alerted: bool = False


class Events(Protocol):
    """Where the watcher's findings go (the uplink's Reporter in the agent)."""

    def closed(self, label: str) -> None: ...

    def alert(self, label: str, kind: str, detail: str) -> None: ...


class DoorWatcher:
    def __init__(self, bus: BusActor, doors: DoorMap, events: Events, *, poll_every: float = POLL_EVERY,
                 left_open_after: float = LEFT_OPEN_AFTER, clock: Callable[[], float] = time.monotonic) -> None:
        self.bus = bus
        self.map = doors
        self.events = events
        self.poll_every = poll_every
        self.left_open_after = left_open_after
        self._clock = clock
        self._doors = {label: Door() for label in doors.doors}
        self._misses: dict[int, int] = {}
        self._round = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="locker-watcher", daemon=True)
        bus.on_status(self.observe)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def expect(self, board: int, lock: int) -> None:
        """Our own pulse is coming: the opening it causes is not forced."""
        label = self.map.label_of(board, lock)
        if label is not None:
            with self._lock:
                self._doors[label].expected_until = self._clock() + EXPECT_WINDOW

    def states(self) -> dict[str, str]:
        """What /agent/v1/status shows: cheap, from memory, as of the last poll."""
        with self._lock:
            return {label: door.known if door.answering else "unknown" for label, door in self._doors.items()}

    def observe(self, status: BoardStatus) -> None:
        now = self._clock()
        found: list[tuple[str, str, str]] = []
        with self._lock:
            for label, lock in self.map.on_board(status.board):
                door = self._doors[label]
                door.answering = True
                seen = "closed" if status.is_closed(lock) else "open"
                if seen == door.known:
                    continue
                before, door.known, door.since = door.known, seen, now
                door.left_open_alerted = False
                if seen == "closed" and before == "open":
                    found.append(("closed", label, ""))
                elif seen == "open" and before == "closed" and now > door.expected_until:
                    found.append(("alert", label, "forced"))
        self._emit(found)

    def _unanswering(self, board: int) -> None:
        with self._lock:
            for label, _ in self.map.on_board(board):
                self._doors[label].answering = False

    def check_left_open(self) -> None:
        now = self._clock()
        found: list[tuple[str, str, str]] = []
        with self._lock:
            for label, door in self._doors.items():
                if door.known == "open" and not door.left_open_alerted and now - door.since >= self.left_open_after:
                    door.left_open_alerted = True
                    found.append(("alert", label, "left-open"))
        self._emit(found)

    def _emit(self, found: list[tuple[str, str, str]]) -> None:
        for what, label, kind in found:
            if what == "closed":
                log.info("door %s closed", label)
                self.events.closed(label)
            elif kind == "forced":
                log.warning("door %s opened without a command", label)
                self.events.alert(label, "forced", "the door opened without a command")
            else:
                log.warning("door %s left open", label)
                self.events.alert(label, "left-open", f"open for more than {self.left_open_after / 60:g} minutes")

    def poll_once(self) -> None:
        self._round += 1
        for board in self.map.boards():
            misses = self._misses.get(board, 0)
            # A board that stopped answering costs a timeout per poll: ask it every few rounds only, so it
            # does not slow the watch of the others.
            if misses >= 2 and self._round % SILENT_EVERY:
                continue
            try:
                self.bus.status(board, POLL)  # observe() hears the answer through the bus
            except BoardError as error:
                if not misses:
                    log.warning("board %d: %s", board, error)
                self._misses[board] = misses + 1
                self._unanswering(board)
            except Exception:  # a stuck bus must not end the watcher
                log.exception("polling board %d failed", board)
                self._misses[board] = misses + 1
                self._unanswering(board)
            else:
                if misses:
                    log.info("board %d answers again", board)
                self._misses[board] = 0
        self.check_left_open()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self.poll_once()
            self._stop.wait(max(0.05, self.poll_every - (time.monotonic() - started)))
