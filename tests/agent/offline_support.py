"""Verifier answers and doors for the agent's offline tests without a service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from locker_agent.verifier import verifier

SALT = "00112233445566778899aabbccddeeff"
PARAMS = {"algorithm": "scrypt", "n": 1024, "r": 8, "p": 1, "dklen": 32}


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def entry(code_id: int, code: str, compartment: str, *, kind: str = "pickup", not_after: datetime | None = None,
          suffix: str | None = None) -> dict[str, Any]:
    return {"id": code_id, "kind": kind, "verifier": verifier(code, bytes.fromhex(SALT), PARAMS, suffix),
            "phone_suffix": suffix is not None, "compartment": compartment, "size": "S",
            "not_after": iso(not_after) if not_after else None}


def answer(entries: list[dict[str, Any]], *, now: datetime | None = None, active: list[int] | None = None,
           full: bool = True, enabled: bool = True, salt: str = SALT, suffix_required: bool = False) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    return {"site": "MAPO-001", "enabled": enabled, "now": iso(now), "cursor": iso(now), "salt": salt,
            "params": PARAMS, "phone_suffix_required": suffix_required, "full": full, "verifiers": entries,
            "active": [e["id"] for e in entries] if active is None else active}


class FakeDoors:
    def __init__(self, result: str = "opened") -> None:
        self.result = result
        self.opened: list[str] = []

    def open_all(self, labels: list[str]) -> dict[str, str]:
        self.opened.extend(labels)
        return {label: self.result for label in labels}


def later(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)
