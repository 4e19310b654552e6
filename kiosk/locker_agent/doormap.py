"""Which board and lock each compartment label is wired to: `A01=0:0,A02=0:1,...`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .frames import LOCKS_PER_BOARD, MAX_BOARDS

_ITEM = re.compile(r"^\s*([A-Za-z0-9-]{1,16})\s*=\s*(\d{1,2})\s*:\s*(\d{1,2})\s*$")


@dataclass(frozen=True)
class Lock:
    board: int
    lock: int


class DoorMap:
    def __init__(self, doors: dict[str, Lock]) -> None:
        self.doors = dict(doors)
        self._labels = {lock: label for label, lock in self.doors.items()}
        if len(self._labels) != len(self.doors):
            raise ValueError("two labels are mapped to the same lock")

    @classmethod
    def parse(cls, text: str) -> DoorMap:
        doors: dict[str, Lock] = {}
        for item in filter(str.strip, text.split(",")):
            match = _ITEM.match(item)
            if not match:
                raise ValueError(f"not LABEL=BOARD:LOCK: {item.strip()!r}")
            label, board, lock = match.group(1), int(match.group(2)), int(match.group(3))
            if board >= MAX_BOARDS or lock >= LOCKS_PER_BOARD:
                raise ValueError(f"{label}: boards are 0-{MAX_BOARDS - 1}, locks 0-{LOCKS_PER_BOARD - 1}")
            if label in doors:
                raise ValueError(f"{label} is mapped twice")
            doors[label] = Lock(board, lock)
        return cls(doors)

    def lock_of(self, label: str) -> Lock | None:
        return self.doors.get(label)

    def label_of(self, board: int, lock: int) -> str | None:
        return self._labels.get(Lock(board, lock))

    def boards(self) -> list[int]:
        return sorted({lock.board for lock in self.doors.values()})

    def on_board(self, board: int) -> list[tuple[str, int]]:
        return [(label, lock.lock) for label, lock in self.doors.items() if lock.board == board]
