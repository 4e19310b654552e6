"""The keypad's failure budget while offline, the same rules as the service's (locker_app/services/keypad.py):
after 5 rejected codes in a row a pause of 60 s, doubling with each further one; 24 within 24 hours lock the
keypad. Kept on disk, so restarting the agent does not give a guesser a fresh budget; a damaged file is
taken as a full streak (paused), never as a clean slate. Times are the service's clock as the agent
estimates it (the kiosk's own may be hours off).

Once the service is reachable again it takes over: the failures counted here are reported with the replay
(they count in the service's budget too) and the local count starts again.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from . import statefile

FREE_FAILURES = 5
FIRST_BACKOFF = 60.0
LOCK_AFTER = 24
WINDOW = 24 * 3600.0
LOCKED_RETRY_AFTER = 300
_MAX_DOUBLINGS = 16


class Paused(Exception):
    def __init__(self, retry_after: int, admin_unlock_required: bool) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.admin_unlock_required = admin_unlock_required


class LocalBudget:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.failures: list[float] = []
        self.streak = 0
        self.blocked_until: float | None = None
        self.pause: float = 0.0  # the length of the current pause, to bound it if the clock jumps back
        self.locked = False
        self.unreported = 0
        self.damaged = False
        self._load()

    def _load(self) -> None:
        if self.path is None:
            return
        try:
            value = statefile.read(self.path)
        except statefile.Corrupt:
            self.damaged = True
            value = None
            # Fail closed: a budget we cannot read is a streak used up.
            self.streak = FREE_FAILURES
            self.blocked_until, self.pause = float("inf"), FIRST_BACKOFF
            self.unreported = FREE_FAILURES
            return
        if isinstance(value, dict):
            self.failures = [float(x) for x in value.get("failures", []) if isinstance(x, int | float)]
            self.streak = int(value.get("streak", 0))
            blocked = value.get("blocked_until")
            self.blocked_until = float(blocked) if isinstance(blocked, int | float) else None
            self.pause = float(value.get("pause", 0.0))
            self.locked = bool(value.get("locked", False))
            self.unreported = int(value.get("unreported", 0))

    def _save(self) -> None:
        if self.path is not None:
            blocked = self.blocked_until if self.blocked_until != float("inf") else None
            statefile.write(self.path, {"failures": self.failures, "streak": self.streak, "blocked_until": blocked,
                                        "pause": self.pause, "locked": self.locked, "unreported": self.unreported})

    def check(self, now: float) -> None:
        if self.locked:
            raise Paused(LOCKED_RETRY_AFTER, True)
        if self.blocked_until is not None:
            if self.blocked_until == float("inf"):
                self.blocked_until = now + self.pause  # a damaged file: the pause starts now
                self._save()
            # A clock that jumped back must not stretch a pause beyond its own length.
            remaining = min(self.blocked_until - now, self.pause)
            if remaining > 0:
                raise Paused(max(1, math.ceil(remaining)), False)

    def failure(self, now: float) -> None:
        self.failures = [at for at in self.failures if now - WINDOW < at <= now + WINDOW] + [now]
        self.streak += 1
        self.unreported += 1
        if len(self.failures) >= LOCK_AFTER:
            self.locked = True
        elif self.streak >= FREE_FAILURES:
            self.pause = FIRST_BACKOFF * 2 ** min(self.streak - FREE_FAILURES, _MAX_DOUBLINGS)
            self.blocked_until = now + self.pause
        self._save()

    def success(self, now: float) -> None:
        self.streak = 0
        self.blocked_until = None
        self.pause = 0.0
        self._save()

    def handed_over(self, reported: int) -> None:
        """The service has the failures now: its budget rules from here on."""
        self.unreported = max(0, self.unreported - reported)
        if self.unreported == 0:
            self.failures, self.streak, self.blocked_until, self.pause, self.locked = [], 0, None, 0.0, False
        self._save()

    def view(self) -> dict[str, Any]:
        return {"streak": self.streak, "failures_24h": len(self.failures), "locked": self.locked}
