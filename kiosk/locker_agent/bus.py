"""One owner of the bus: a single thread that runs one request at a time from a priority queue.

Door opens (and their confirming status reads) go ahead of the watcher's status polls, so a pickup
never waits behind a round of polls; nothing else touches the driver, so requests cannot overlap on
the half-duplex line (the lesson of Open-Locker's ADR-0021).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from .boards import BoardDriver, BoardError, BusUnavailable, NoAnswer
from .frames import BoardStatus

log = logging.getLogger(__name__)

T = TypeVar("T")
OPEN = 0  # door opens and their confirmation
POLL = 1  # the watcher's rounds
CONFIRM_WITHIN = 2.0
# The board times the pulse itself; a second pulse on the same board within this gap would energise two
# solenoids at once (the supply sags and neither opens).
PULSE_GAP = 0.6


class BusActor:
    def __init__(self, driver: BoardDriver) -> None:
        self.driver = driver
        self._queue: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._listeners: list[Callable[[BoardStatus], None]] = []
        self._thread = threading.Thread(target=self._run, name="locker-bus", daemon=True)
        self._stopping = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._queue.put((-1, next(self._order), None))
        self._thread.join(timeout=5)
        self.driver.close()

    def on_status(self, listener: Callable[[BoardStatus], None]) -> None:
        """Every status read on the bus, whoever asked: the watcher sees a door open as soon as the opener does."""
        self._listeners.append(listener)

    def submit(self, job: Callable[[BoardDriver], T], priority: int = POLL) -> Future[T]:
        future: Future[T] = Future()
        self._queue.put((priority, next(self._order), (job, future)))
        return future

    def call(self, job: Callable[[BoardDriver], T], priority: int = POLL, timeout: float = 10.0) -> T:
        future = self.submit(job, priority)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()  # still queued: it will not run; running: its answer is dropped
            raise NoAnswer(f"the bus did not get to this request within {timeout:g} s") from None

    def status(self, board: int, priority: int = POLL) -> BoardStatus:
        return self.call(lambda driver: driver.status(board), priority)

    def pulse(self, board: int, lock: int) -> BoardStatus | None:
        return self.call(lambda driver: driver.pulse(board, lock), OPEN)

    def _run(self) -> None:
        while True:
            _, _, item = self._queue.get()
            if item is None or self._stopping:
                if item is not None:
                    item[1].set_exception(BusUnavailable("the agent is stopping"))
                return
            job, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = job(self.driver)
            except BoardError as error:
                future.set_exception(error)
                continue
            except Exception as error:  # a driver bug must not kill the bus's only thread
                log.exception("board request failed")
                future.set_exception(BoardError(str(error)))
                continue
            future.set_result(result)
            if isinstance(result, BoardStatus):
                for listener in self._listeners:
                    try:
                        listener(result)
                    except Exception:
                        log.exception("status listener failed")


@dataclass(frozen=True)
class OpenResult:
    opened: bool
    reason: str | None = None
    already_open: bool = False

    @property
    def word(self) -> str:
        return "opened" if self.opened else "failed"


class DoorOpener:
    """Pulse a lock and believe only the feedback: opened when its bit reads 0 within ~2 s."""

    def __init__(self, bus: BusActor, *, confirm_within: float = CONFIRM_WITHIN, pulse_gap: float = PULSE_GAP,
                 before_pulse: Callable[[int, int], None] = lambda board, lock: None) -> None:
        self.bus = bus
        self.confirm_within = confirm_within
        self.pulse_gap = pulse_gap
        self.before_pulse = before_pulse
        self._boards: dict[int, threading.Lock] = {}
        self._last_pulse: dict[int, float] = {}
        self._guard = threading.Lock()

    def _board_lock(self, board: int) -> threading.Lock:
        with self._guard:
            return self._boards.setdefault(board, threading.Lock())

    def open(self, board: int, lock: int) -> OpenResult:
        # One opening at a time per board, from the pulse until its feedback is read or the time is up.
        with self._board_lock(board):
            return self._open(board, lock)

    def _open(self, board: int, lock: int) -> OpenResult:
        try:
            before = self.bus.status(board, OPEN)
        except BoardError:
            before = None
        already_open = before is not None and not before.is_closed(lock)
        wait = self._last_pulse.get(board, 0.0) + self.pulse_gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.before_pulse(board, lock)
        try:
            # The status some boards send after the pulse is not waited for as a confirmation: others send
            # none, and the read below asks the board itself.
            self.bus.pulse(board, lock)
        except BoardError as error:
            return OpenResult(False, f"unlock not sent: {error}")
        finally:
            self._last_pulse[board] = time.monotonic()
        deadline = time.monotonic() + self.confirm_within
        last_error: str | None = None
        while time.monotonic() < deadline:
            try:
                status = self.bus.status(board, OPEN)
            except BoardError as error:
                last_error = str(error)
            else:
                last_error = None
                if not status.is_closed(lock):
                    return OpenResult(True, already_open=already_open)
            time.sleep(0.1)
        return OpenResult(False, last_error or "lock still latched after the unlock pulse")
