"""The port between the agent and its lock boards: what any board driver offers.

The CU16 driver (cu16.py) is the first adapter; another family (a Modbus relay board through pymodbus,
say) is another class with these two calls, chosen in the composition root (main.py).
"""

from __future__ import annotations

from typing import Protocol

from .frames import BoardStatus


class BoardError(Exception):
    """A request that got no usable answer. Never a door opened."""


class NoAnswer(BoardError):
    """Nothing checked came back within the board's timeout."""


class BadAnswer(BoardError):
    """Bytes came back, but no frame that checks for the board asked (bad SUM, another address, garbage)."""


class BusUnavailable(BoardError):
    """The serial device itself is gone or cannot be opened (adapter unplugged, TCP bus down)."""


class BoardDriver(Protocol):
    def status(self, board: int) -> BoardStatus:
        """The board's feedback and sensors; raises BoardError."""
        ...

    def pulse(self, board: int, lock: int) -> BoardStatus | None:
        """Ask the board to pulse one lock open (the board times the pulse). Returns the status some
        boards send after it, or None: never rely on it. Raises BusUnavailable when nothing was sent."""
        ...

    def close(self) -> None: ...
