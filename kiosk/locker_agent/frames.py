"""KR-CU16 frames (../../shared/locker-board.md): 5-byte requests, 9-byte status answers.

Plain functions over bytes, so the driver, the simulator and the tests build and check frames alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

STX = 0x02
ETX = 0x03
CMD_STATUS = 0x30
CMD_UNLOCK = 0x31
ANSWER_STATUS = 0x35
REQUEST_LEN = 5
STATUS_LEN = 9
LOCKS_PER_BOARD = 16
MAX_BOARDS = 16


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def request(board: int, lock: int, cmd: int) -> bytes:
    if not (0 <= board < MAX_BOARDS and 0 <= lock < LOCKS_PER_BOARD):
        raise ValueError(f"no such lock {board}:{lock}")
    head = bytes((STX, (board << 4) | lock, cmd, ETX))
    return head + bytes((checksum(head),))


def status_request(board: int) -> bytes:
    return request(board, 0, CMD_STATUS)


def unlock_request(board: int, lock: int) -> bytes:
    return request(board, lock, CMD_UNLOCK)


@dataclass(frozen=True)
class BoardStatus:
    """One board's answer: bit i of `closed` is 1 when lock i is closed and latched."""

    board: int
    closed: int  # 16 bits, lock 0 in bit 0
    sensors: int = 0

    def is_closed(self, lock: int) -> bool:
        return bool(self.closed >> lock & 1)

    def has_item(self, lock: int) -> bool:
        return bool(self.sensors >> lock & 1)


def status_frame(status: BoardStatus) -> bytes:
    head = bytes((STX, status.board << 4, ANSWER_STATUS, status.closed & 0xFF, status.closed >> 8 & 0xFF,
                  status.sensors & 0xFF, status.sensors >> 8 & 0xFF, ETX))
    return head + bytes((checksum(head),))


def parse_status(frame: bytes) -> BoardStatus | None:
    """The status in a 9-byte frame, or None unless STX, command, ETX and SUM all check."""
    if len(frame) != STATUS_LEN or frame[0] != STX or frame[2] != ANSWER_STATUS or frame[7] != ETX:
        return None
    if checksum(frame[:8]) != frame[8]:
        return None
    return BoardStatus(board=frame[1] >> 4, closed=frame[3] | frame[4] << 8, sensors=frame[5] | frame[6] << 8)


def parse_request(frame: bytes) -> tuple[int, int, int] | None:
    """(board, lock, cmd) of a 5-byte request, or None when it does not check (the simulator's side)."""
    if len(frame) != REQUEST_LEN or frame[0] != STX or frame[3] != ETX or checksum(frame[:4]) != frame[4]:
        return None
    return frame[1] >> 4, frame[1] & 0x0F, frame[2]


class FrameScanner(Generic[T]):
    """Finds checked frames of one length in a byte stream that may cut, join or garble them.

    Bytes are fed as they arrive; a candidate that fails its checks costs only its first byte, so the
    scanner resynchronises on the next STX instead of losing the frames behind the garbage.
    """

    def __init__(self, length: int, parse: Callable[[bytes], T | None]) -> None:
        self.length = length
        self._parse = parse
        self._buffer = bytearray()
        self.discarded = 0  # bytes thrown away while resynchronising: a count for logs and tests

    def feed(self, data: bytes) -> list[T]:
        self._buffer.extend(data)
        found: list[T] = []
        while True:
            start = self._buffer.find(STX)
            if start < 0:
                self.discarded += len(self._buffer)
                self._buffer.clear()
                return found
            if start:
                self.discarded += start
                del self._buffer[:start]
            if len(self._buffer) < self.length:
                return found
            parsed = self._parse(bytes(self._buffer[:self.length]))
            if parsed is None:
                self.discarded += 1
                del self._buffer[:1]
                continue
            found.append(parsed)
            del self._buffer[:self.length]

    def missing(self) -> int:
        """How many more bytes the frame begun in the buffer needs (the whole length when none is begun)."""
        start = self._buffer.find(STX)
        return self.length if start < 0 else max(1, self.length - (len(self._buffer) - start))

    def clear(self) -> None:
        self._buffer.clear()
