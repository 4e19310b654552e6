"""Pickups while the service cannot be reached (design.md "Offline"), and the sync that makes them possible.

`OfflinePickup` is the gateway's OfflinePolicy when the agent runs with offline pickup: a typed code is
hashed like the service's verifiers (verifier.py) and looked up in the site's set; the right one opens its
door and is queued on disk; every failure gets the service's own 403 `code-rejected`, and the local budget
(budget.py) pauses the keypad as the service would. Deliveries need the service: offline, a courier's
calls answer 503 `locker-offline-deliveries`.

`Syncer` runs every minute: it replays the queue first (idempotency keys; an interrupted replay resumes with
what the service has not acknowledged), then fetches the verifiers made since its cursor, then the site's
page data. Times the agent records are the service's clock as estimated at the last sync, so a kiosk clock
hours off neither stretches a code past its deadline nor misdates a pickup.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from .answers import Answer, json_answer, problem
from .budget import LocalBudget, Paused
from .offline import OfflinePolicy
from .offline_state import PickupQueue, VerifierSet
from .uplink import ServiceUnreachable, Uplink
from .verifier import verifier

log = logging.getLogger(__name__)

PICKUP = "/kiosk/v1/pickup"
SITE = "/kiosk/v1/site"
COURIER = "/kiosk/v1/courier/"
SYNC_EVERY = 60.0
RETRY_EVERY = 10.0  # while the service is unreachable or pickups wait to be replayed
REPLAY_BATCH = 50


class DoorsLike(Protocol):
    def open_all(self, labels: list[str]) -> dict[str, str]: ...


def _parse_time(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def rejected() -> Answer:
    # Byte for byte the service's answer to a wrong, used or expired code (locker_app/kiosk_api/routes.py).
    return problem(403, "code-rejected", "The code was not accepted",
                   "the code was not accepted; check the SMS and try again")


def paused(error: Paused) -> Answer:
    detail = ("the keypad is locked until an administrator unlocks it" if error.admin_unlock_required
              else f"try again in {error.retry_after} seconds")
    answer = problem(429, "keypad-locked", "Too many codes were not accepted; the keypad is paused", detail,
                     retry_after=error.retry_after, admin_unlock_required=error.admin_unlock_required)
    answer.headers["Retry-After"] = str(error.retry_after)
    return answer


def _well_formed(code: Any) -> bool:
    return isinstance(code, str) and len(code) == 8 and code.isascii() and code.isdigit()


class OfflinePickup(OfflinePolicy):
    def __init__(self, state_dir: Path | None, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.verifiers = VerifierSet(state_dir / "verifiers.json" if state_dir else None)
        self.queue = PickupQueue(state_dir / "queue.jsonl" if state_dir else None)
        self.budget = LocalBudget(state_dir / "budget.json" if state_dir else None)
        self.doors: DoorsLike | None = None
        self._lock = threading.Lock()  # one offline check at a time: the budget and the set change together

    def attach(self, doors: DoorsLike) -> None:
        self.doors = doors

    def now(self) -> float:
        """The service's time as the agent estimates it."""
        return self.clock() + self.verifiers.skew

    def answer(self, method: str, path: str, body: bytes) -> Answer:
        if method == "POST" and path == PICKUP and self.doors is not None and self.verifiers.usable:
            return self.pickup(body)
        if path.startswith(COURIER):
            return problem(503, "locker-offline-deliveries", "The locker is offline for deliveries",
                           "Deliveries need the service, which cannot be reached right now. Pickups still work.",
                           retry_after=30)
        if method == "GET" and path == SITE and isinstance(self.verifiers.state.get("site_answer"), dict):
            site = dict(self.verifiers.state["site_answer"])
            site.update(offline=True, pickup_only=True, free={size: 0 for size in site.get("free") or {}})
            return json_answer(200, site, {"Cache-Control": "no-store"})
        return super().answer(method, path, body)

    def pickup(self, body: bytes) -> Answer:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = None
        data = data if isinstance(data, dict) else {}
        code, suffix = data.get("code"), data.get("phone_suffix")
        with self._lock:
            now = self.now()
            try:
                self.budget.check(now)
            except Paused as error:
                return paused(error)
            found = self._match(str(code) if _well_formed(code) else "????????",
                                suffix if isinstance(suffix, str) else None, now)
            if found is None or not _well_formed(code):
                self.budget.failure(now)
                return rejected()
            self.budget.success(now)
            key = uuid.uuid4().hex
            label = str(found["compartment"])
            self.queue.add({"key": key, "kind": found["kind"], "code_id": found["id"], "at": _iso(now),
                            "compartment": label})
            self.verifiers.spent(int(found["id"]))
        assert self.doors is not None
        doors = self.doors.open_all([label])
        if doors.get(label) != "opened":
            # The parcel is still inside: not a pickup, and the code must work again (the fault is reported).
            self.queue.cancel(key)
            self.verifiers.restore(found)
        log.info("offline pickup: door %s %s", label, doors.get(label))
        return json_answer(200, {"compartments": [label],
                                 "parcels": [{"compartment": label, "size": found.get("size"),
                                              "action": found["kind"]}],
                                 "fee_due": 0, "fee_paid": 0, "doors": doors, "offline": True})

    def _match(self, code: str, suffix: str | None, now: float) -> dict[str, Any] | None:
        state = self.verifiers.state
        salt, params = bytes.fromhex(state["salt"]), state["params"]
        plain = verifier(code, salt, params)
        # The same work whatever the code: with the phone step, both forms are always hashed.
        with_suffix = verifier(code, salt, params, suffix or "????") if state.get("phone_suffix_required") else None
        found = None
        for entry in self.verifiers.entries().values():
            wanted = with_suffix if entry.get("phone_suffix") else plain
            if wanted is not None and hmac.compare_digest(str(entry.get("verifier")), wanted):
                found = entry
        if found is None:
            return None
        deadline = _parse_time(found.get("not_after"))
        if deadline is not None and now >= deadline:
            return None
        if found.get("phone_suffix") and not isinstance(suffix, str):
            return None
        return found

    def status(self) -> dict[str, Any]:
        return {"queue_length": len(self.queue), "verifiers": len(self.verifiers.state["entries"]),
                "offline_pickup": self.verifiers.usable, "verifiers_synced_at": self.verifiers.state.get("synced_at"),
                "keypad": self.budget.view()}


class Syncer:
    """Replays the queue, then refreshes the verifiers and the site's page data; every minute, sooner while
    something waits."""

    def __init__(self, uplink: Uplink, offline: OfflinePickup, *, every: float = SYNC_EVERY,
                 retry_every: float = RETRY_EVERY) -> None:
        self.uplink = uplink
        self.offline = offline
        self.every = every
        self.retry_every = retry_every
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="locker-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                ok = self.sync_once()
            except Exception:
                log.exception("offline sync failed")
                ok = False
            wait = self.every if ok and not len(self.offline.queue) else self.retry_every
            self._wake.wait(wait)
            self._wake.clear()

    def sync_once(self) -> bool:
        try:
            self.replay()
            self.refresh()
        except ServiceUnreachable:
            return False
        return True

    def replay(self) -> None:
        queue, budget = self.offline.queue, self.offline.budget
        while True:
            items = queue.items()
            failures = budget.unreported
            if not items and not failures:
                return
            batch = items[:REPLAY_BATCH]
            answer = self.uplink.post_json("/kiosk/v1/offline/replay", {
                "items": batch, "queue_length": len(items) - len(batch), "failures": failures})
            data = answer.json()
            if answer.status != 200 or not isinstance(data, dict):
                log.error("the service refused the replay: %d", answer.status)
                return
            # Only what the service acknowledged leaves the queue: cut off half-way, the rest comes again,
            # and what it had already settled answers "replayed" without changing anything.
            done = {r["key"] for r in data.get("results", []) if isinstance(r, dict) and isinstance(r.get("key"), str)}
            queue.settled(done)
            budget.handed_over(failures)
            if not batch:
                return

    def refresh(self) -> None:
        query = {"queue_length": str(len(self.offline.queue))}
        if self.offline.verifiers.cursor:
            query["since"] = self.offline.verifiers.cursor
        sent_at = self.offline.clock()
        answer = self.uplink.request("GET", "/kiosk/v1/verifiers", query=urlencode(query),
                                     headers={"Accept": "application/json"})
        received_at = self.offline.clock()
        data = answer.json()
        if answer.status != 200 or not isinstance(data, dict):
            log.error("the service refused the verifier sync: %d", answer.status)
            return
        server_now = _parse_time(data.get("now"))
        skew = server_now - (sent_at + received_at) / 2 if server_now is not None else 0.0
        self.offline.verifiers.apply(data, skew)
        site = self.uplink.get_json(SITE)
        if site.status == 200:
            self.offline.verifiers.remember_site(site.json())
