"""What the agent keeps on disk for offline pickup: the site's verifiers and the queue of pickups to replay.

verifiers.json (one checksummed file, written whole) and queue.jsonl (an append-only journal, one
checksummed line per pickup) in the state directory; see statefile.py for what survives what.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from . import statefile
from .verifier import check_params

log = logging.getLogger(__name__)


class VerifierSet:
    """The site's verifiers as of the last sync, the salt and parameters they were made with, the sync cursor,
    and how far the kiosk's clock is from the service's."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.damaged = False
        self.state: dict[str, Any] = self._empty()
        if path is not None:
            try:
                loaded = statefile.read(path)
            except statefile.Corrupt:
                # Not trusted: no offline pickups until the next sync brings the whole set again.
                self.damaged = True
                loaded = None
            if isinstance(loaded, dict) and isinstance(loaded.get("entries"), dict):
                self.state = loaded

    @staticmethod
    def _empty() -> dict[str, Any]:
        return {"enabled": False, "salt": None, "params": None, "cursor": None, "skew": 0.0, "synced_at": None,
                "phone_suffix_required": False, "entries": {}, "site_answer": None}

    def _save(self) -> None:
        if self.path is not None:
            statefile.write(self.path, self.state)

    @property
    def cursor(self) -> str | None:
        return self.state.get("cursor")

    @property
    def skew(self) -> float:
        return float(self.state.get("skew") or 0.0)

    @property
    def usable(self) -> bool:
        return bool(self.state.get("enabled") and self.state.get("salt") and self.state.get("params"))

    def entries(self) -> dict[str, dict[str, Any]]:
        return dict(self.state["entries"])

    def apply(self, answer: dict[str, Any], skew: float) -> None:
        """One answer of GET /kiosk/v1/verifiers: changes, or the whole set."""
        with self.lock:
            state = dict(self.state)
            state["skew"], state["synced_at"] = skew, answer.get("now")
            state["phone_suffix_required"] = bool(answer.get("phone_suffix_required"))
            if not answer.get("enabled"):
                state.update(enabled=False, salt=None, params=None, entries={}, cursor=answer.get("cursor"))
                self.state = state
                self._save()
                return
            params = check_params(answer.get("params"))
            salt = answer.get("salt")
            if not isinstance(salt, str) or len(salt) < 32:
                raise ValueError("no salt in the answer")
            entries: dict[str, dict[str, Any]] = dict(state["entries"])
            if answer.get("full") or salt != state.get("salt") or params != state.get("params"):
                entries = {}
                if not answer.get("full"):
                    # Made under another salt or parameters: ask for the whole set next time.
                    state.update(enabled=True, salt=salt, params=params, entries={}, cursor=None)
                    self.state = state
                    self._save()
                    return
            for item in answer.get("verifiers", []):
                if isinstance(item, dict) and isinstance(item.get("id"), int) and isinstance(item.get("verifier"), str):
                    entries[str(item["id"])] = {k: item.get(k) for k in ("id", "kind", "verifier", "phone_suffix",
                                                                         "compartment", "size", "not_after")}
            active = {str(x) for x in answer.get("active", []) if isinstance(x, int)}
            entries = {k: v for k, v in entries.items() if k in active}
            # A compartment holds one active parcel: a newer code for it means the older one is gone.
            newest: dict[str, int] = {}
            for entry in entries.values():
                label = str(entry.get("compartment"))
                newest[label] = max(newest.get(label, 0), int(entry["id"]))
            entries = {k: v for k, v in entries.items() if int(v["id"]) == newest[str(v.get("compartment"))]}
            state.update(enabled=True, salt=salt, params=params, entries=entries, cursor=answer.get("cursor"))
            self.state = state
            self.damaged = False
            self._save()

    def spent(self, code_id: int) -> None:
        with self.lock:
            entries = dict(self.state["entries"])
            entries.pop(str(code_id), None)
            self.state = {**self.state, "entries": entries}
            self._save()

    def restore(self, entry: dict[str, Any]) -> None:
        """A code whose door did not open works again."""
        with self.lock:
            self.state = {**self.state, "entries": {**self.state["entries"], str(entry["id"]): entry}}
            self._save()

    def remember_site(self, answer: Any) -> None:
        with self.lock:
            if isinstance(answer, dict) and answer != self.state.get("site_answer"):
                self.state = {**self.state, "site_answer": answer}
                self._save()


class PickupQueue:
    """Pickups to replay, in the order they happened. Each is journalled before its door is pulsed (so an agent
    that dies right after the pulse still replays it); a door that did not open cancels its pickup."""

    def __init__(self, path: Path | None) -> None:
        self.journal = statefile.Journal(path) if path is not None else None
        self.lock = threading.Lock()
        self.damaged_lines = 0
        self._records: list[dict[str, Any]] = []
        if self.journal is not None:
            self._records, self.damaged_lines = self.journal.read()

    def _append(self, record: dict[str, Any]) -> None:
        self._records.append(record)
        if self.journal is not None:
            self.journal.append(record)

    def add(self, item: dict[str, Any]) -> None:
        with self.lock:
            self._append(item)

    def cancel(self, key: str) -> None:
        with self.lock:
            self._append({"cancel": key})

    def items(self) -> list[dict[str, Any]]:
        with self.lock:
            cancelled = {r["cancel"] for r in self._records if "cancel" in r}
            return [r for r in self._records if "key" in r and r["key"] not in cancelled]

    def __len__(self) -> int:
        return len(self.items())

    def settled(self, keys: set[str]) -> None:
        """The service has these: off the queue (the rest stays, in order, for the next replay)."""
        with self.lock:
            cancelled = {r["cancel"] for r in self._records if "cancel" in r}
            self._records = [r for r in self._records
                             if "key" in r and r["key"] not in keys and r["key"] not in cancelled]
            if self.journal is not None:
                self.journal.rewrite(self._records)
