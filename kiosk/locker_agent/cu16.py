"""The KR-CU16 driver: 19200 8N1, one request then its answer (up to 300 ms), frames read by length and
checked before they are believed. Used from the bus actor's thread only (bus.py), so it needs no lock."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

import serial

from . import frames
from .boards import BadAnswer, BusUnavailable, NoAnswer
from .frames import BoardStatus, FrameScanner

log = logging.getLogger(__name__)

ANSWER_TIMEOUT = 0.3
# After a failed open of the device, wait this long before the next try: a missing USB adapter must not
# turn every poll into a reconnect (the reconnect storm Open-Locker's ADR-0021 describes).
REOPEN_AFTER = 1.0


class CU16Driver:
    def __init__(self, url: str, *, baudrate: int = 19200, timeout: float = ANSWER_TIMEOUT,
                 clock: Any = time.monotonic) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        self._clock = clock
        self._port: Any = None
        self._failed_at: float | None = None
        self.stats = {"no_answer": 0, "bad_frames": 0, "wrong_address": 0, "discarded_bytes": 0}

    # --- the port -------------------------------------------------------------------------------

    def _open(self) -> Any:
        if self._port is not None:
            return self._port
        if self._failed_at is not None and self._clock() - self._failed_at < REOPEN_AFTER:
            raise BusUnavailable(f"bus {self.url} unavailable")
        try:
            # serial_for_url: /dev/ttyUSB0, socket://host:port (a TCP bus, the simulator) and loop:// alike.
            self._port = serial.serial_for_url(self.url, baudrate=self.baudrate, bytesize=8, parity="N",
                                               stopbits=1, timeout=self.timeout, write_timeout=self.timeout)
        except (serial.SerialException, OSError, ValueError) as error:
            self._failed_at = self._clock()
            log.warning("cannot open the board bus %s: %s", self.url, error)
            raise BusUnavailable(f"bus {self.url} unavailable") from error
        self._failed_at = None
        return self._port

    def _drop(self) -> None:
        port, self._port = self._port, None
        self._failed_at = self._clock()
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

    def close(self) -> None:
        self._drop()

    def attach(self, port: Any) -> None:
        """Use a port opened elsewhere (tests over loop://)."""
        self._port = port

    # --- requests -------------------------------------------------------------------------------

    def _send(self, request: bytes) -> Any:
        port = self._open()
        try:
            # Half duplex: whatever is still in the buffer (a late answer to an earlier request) is not
            # the answer to this one.
            port.reset_input_buffer()
            port.write(request)
            port.flush()
        except (serial.SerialException, OSError) as error:
            self._drop()
            raise BusUnavailable(f"bus {self.url}: {error}") from error
        return port

    def read_status(self, board: int, port: Any = None, timeout: float | None = None) -> BoardStatus:
        """Read until a checked status frame of `board` arrives or the timeout passes."""
        port = port or self._open()
        deadline = self._clock() + (self.timeout if timeout is None else timeout)
        scanner: FrameScanner[BoardStatus] = FrameScanner(frames.STATUS_LEN, frames.parse_status)
        seen_bytes = False
        others = 0
        try:
            while True:
                left = deadline - self._clock()
                if left <= 0:
                    break
                port.timeout = left
                chunk = port.read(scanner.missing())
                if not chunk:
                    continue
                seen_bytes = True
                for status in scanner.feed(chunk):
                    if status.board == board:
                        self.stats["discarded_bytes"] += scanner.discarded
                        return status
                    others += 1
        except (serial.SerialException, OSError) as error:
            self._drop()
            raise BusUnavailable(f"bus {self.url}: {error}") from error
        self.stats["discarded_bytes"] += scanner.discarded
        if others:
            self.stats["wrong_address"] += 1
            raise BadAnswer(f"board {board}: the answer came from another address")
        if seen_bytes:
            self.stats["bad_frames"] += 1
            raise BadAnswer(f"board {board}: no frame that checks")
        self.stats["no_answer"] += 1
        raise NoAnswer(f"board {board}: no answer within {self.timeout * 1000:.0f} ms")

    def _settle(self, port: Any) -> None:
        """After a request went unanswered, let the line fall quiet for one more timeout, throwing away what
        arrives: an answer that comes late belongs to the request before, and must not be read as the
        answer to the next one."""
        deadline = self._clock() + self.timeout
        try:
            while (left := deadline - self._clock()) > 0:
                port.timeout = left
                port.read(256)
        except (serial.SerialException, OSError):
            self._drop()

    def status(self, board: int) -> BoardStatus:
        port = self._send(frames.status_request(board))
        try:
            return self.read_status(board, port)
        except (NoAnswer, BadAnswer):
            self._settle(port)
            raise

    def pulse(self, board: int, lock: int) -> BoardStatus | None:
        port = self._send(frames.unlock_request(board, lock))
        try:
            # Wait for the answer some boards send, so the next request does not talk over it.
            return self.read_status(board, port)
        except (NoAnswer, BadAnswer):
            self._settle(port)
            return None
