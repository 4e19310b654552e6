"""Serving a kiosk its site's verifiers, and settling what its agent did offline (plain functions)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import AccessCode, Compartment, Kiosk, Parcel, Site
from ..services import events, keypad
from ..services.errors import InvalidInput
from ..services.fees import amount_owed
from ..services.issue_codes import void_codes
from . import sites
from .models import AgentReport, OfflineReplay, OfflineVerifier
from .scheme import Params

# Verifiers made this long before the cursor are served again: a transaction that took its timestamp
# before the cursor's but committed after it (two hosts, PostgreSQL) is still seen. Applying is idempotent.
OVERLAP = timedelta(minutes=5)
# The agent syncs every minute; a kiosk not heard from for this long is shown offline.
ONLINE_WITHIN = timedelta(minutes=3)
MAX_ITEMS = 200
_OPENS = {"pickup": ("stored", "picked_up"), "return": ("expired", "returned")}


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def parse_cursor(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("since must be a cursor this endpoint gave", field="since") from None
    if parsed.tzinfo is None:
        raise InvalidInput("since must be a cursor this endpoint gave", field="since")
    return parsed


def verifiers_for(session: Session, now: datetime, kiosk: Kiosk, since: datetime | None,
                  queue_length: int | None, params: Params) -> dict[str, Any]:
    """The site's verifiers made since the cursor, and the ids of every one still active (the agent drops
    the rest: a parcel taken elsewhere, a code replaced or expired)."""
    site = kiosk.site
    setting = sites.setting(session, now, site.id)
    report(session, now, kiosk, queue_length, synced=True)
    answer: dict[str, Any] = {"site": site.code, "enabled": setting.enabled, "now": iso(now), "cursor": iso(now),
                              "salt": setting.salt if setting.enabled else None, "params": params.as_json(),
                              "phone_suffix_required": bool(site.require_phone_suffix),
                              "full": since is None, "verifiers": [], "active": []}
    if not setting.enabled:
        return answer
    # Verifiers of codes that ended (used, replaced, expired) are of no use to anyone: gone at the next sync.
    session.execute(delete(OfflineVerifier).where(
        OfflineVerifier.site_id == site.id,
        OfflineVerifier.code_id.in_(select(AccessCode.id).where(AccessCode.site_id == site.id,
                                                                AccessCode.active.is_(False)))))
    query = (
        select(OfflineVerifier.code_id, OfflineVerifier.kind, OfflineVerifier.verifier,
               OfflineVerifier.with_phone_suffix, OfflineVerifier.created_at, Parcel.pickup_deadline,
               Compartment.label, Compartment.size)
        .join(AccessCode, AccessCode.id == OfflineVerifier.code_id)
        .join(Parcel, Parcel.id == AccessCode.parcel_id)
        .join(Compartment, Compartment.id == Parcel.compartment_id)
        .where(OfflineVerifier.site_id == site.id, OfflineVerifier.salt == setting.salt,
               OfflineVerifier.params == params.label, AccessCode.active,
               ((OfflineVerifier.kind == "pickup") & (Parcel.state == "stored"))
               | ((OfflineVerifier.kind == "return") & (Parcel.state == "expired")))
        .order_by(OfflineVerifier.code_id)
    )
    for row in session.execute(query):
        answer["active"].append(row.code_id)
        if since is None or row.created_at > since - OVERLAP:
            answer["verifiers"].append({
                "id": row.code_id, "kind": row.kind, "verifier": row.verifier,
                "phone_suffix": row.with_phone_suffix, "compartment": row.label, "size": row.size,
                "not_after": iso(row.pickup_deadline) if row.kind == "pickup" else None})
    return answer


def report(session: Session, now: datetime, kiosk: Kiosk, queue_length: int | None, *, synced: bool) -> None:
    row = session.get(AgentReport, kiosk.id)
    if row is None:
        row = AgentReport(kiosk_id=kiosk.id, queue_length=0, reported_at=now)
        session.add(row)
    if queue_length is not None:
        row.queue_length = queue_length
    if synced:
        row.last_sync_at = now
    row.reported_at = now


def _item(raw: Any, index: int) -> dict[str, Any]:
    where = f"items[{index}]"
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where} must be an object", field=where)
    key, kind, code_id, at = raw.get("key"), raw.get("kind"), raw.get("code_id"), raw.get("at")
    if not isinstance(key, str) or not 1 <= len(key) <= 64 or not key.isascii():
        raise InvalidInput(f"{where}.key must be 1 to 64 ASCII characters", field=f"{where}.key")
    if kind not in _OPENS:
        raise InvalidInput(f"{where}.kind must be pickup or return", field=f"{where}.kind")
    if not isinstance(code_id, int) or isinstance(code_id, bool) or code_id < 1:
        raise InvalidInput(f"{where}.code_id must be a positive integer", field=f"{where}.code_id")
    try:
        when = datetime.fromisoformat(at.replace("Z", "+00:00")) if isinstance(at, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise InvalidInput(f"{where}.at must be an ISO-8601 time with its offset", field=f"{where}.at")
    compartment = raw.get("compartment")
    return {"key": key, "kind": kind, "code_id": code_id, "at": when,
            "compartment": compartment if isinstance(compartment, str) else None}


def parse_count(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000_000:
        raise InvalidInput(f"{name} must be a whole number, 0 or more", field=name)
    return value


def parse_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("items")
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise InvalidInput(f"items must be a list of at most {MAX_ITEMS}", field="items")
    return [_item(raw, i) for i, raw in enumerate(items)]


def replay(session: Session, now: datetime, kiosk: Kiosk, items: list[dict[str, Any]],
           queue_length: int | None, failures: int = 0) -> dict[str, Any]:
    """Settle each item once, by its key; the same items again answer the same and change nothing.

    `failures`: codes the agent rejected offline since its last replay; they count in the site's budget
    here too (at most what would lock it), so cutting the network buys a guesser nothing.
    """
    results = [_settle(session, now, kiosk, item) for item in items]
    if failures:
        for _ in range(min(failures, keypad.LOCK_AFTER)):
            keypad.record_failure(session, now, kiosk.site_id)
        events.record(session, now, f"kiosk:{kiosk.id}", "offline.codes_rejected", site_id=kiosk.site_id,
                      count=failures)
    report(session, now, kiosk, queue_length, synced=False)
    return {"results": results}


def _settle(session: Session, now: datetime, kiosk: Kiosk, item: dict[str, Any]) -> dict[str, Any]:
    site: Site = kiosk.site
    actor = f"kiosk:{kiosk.id}"
    code = session.scalar(select(AccessCode).where(AccessCode.id == item["code_id"],
                                                   AccessCode.site_id == site.id))
    # The parcel's row lock orders two replays of one pickup (two hosts, or a retry racing the first).
    parcel = session.get(Parcel, code.parcel_id, with_for_update=True, populate_existing=True) if code else None
    done = session.scalar(select(OfflineReplay).where(OfflineReplay.kiosk_id == kiosk.id,
                                                      OfflineReplay.key == item["key"]))
    if done is not None:
        return {"key": item["key"], "outcome": done.outcome, "replayed": True}
    # The kiosk's clock may be wrong (the agent corrects it by the service's, but may be off still): a pickup
    # happened after its code was made and before it reached us.
    at = min(max(item["at"], code.created_at if code else item["at"]), now)
    detail = {"offline": True, "replay_key": item["key"], "code_id": item["code_id"], "taken_at": iso(at),
              "reported_at_kiosk": iso(item["at"])}
    if code is None or parcel is None or code.kind != item["kind"]:
        outcome = "unknown"
        events.record(session, now, actor, "offline.replay_unknown", site_id=site.id, alert=True, **detail)
    else:
        required, new_state = _OPENS[code.kind]
        takeable = {required, "expired"} if code.kind == "pickup" else {required}
        if parcel.state in takeable:
            outcome = "settled"
            fee = amount_owed(site, parcel, at) if code.kind == "pickup" and parcel.state == "stored" else 0
            if not code.active:
                detail["stale_code"] = True  # replaced or voided after the kiosk's last sync; the door opened
            if parcel.state != required:
                detail["late"] = True  # the expiry came between the sync and the pickup
            if fee:
                detail["fee_unpaid"] = fee
            code.used_at = at
            void_codes(session, parcel.id)  # the offline code, and any fresher one, stop working
            parcel.state = new_state
            if new_state == "picked_up":
                parcel.picked_up_at = at
            else:
                parcel.returned_at = at
            parcel.compartment.last_used_at = at
            events.record(session, now, actor, f"parcel.{new_state}", site_id=site.id,
                          compartment_id=parcel.compartment_id, parcel_id=parcel.id, **detail)
        else:
            # Taken twice (here offline, and by a fresh code elsewhere first), or a parcel that moved on:
            # the record is kept as an alert for an operator, never dropped.
            outcome = "taken-twice" if parcel.state in ("picked_up", "returned") else "conflict"
            events.record(session, now, actor, "parcel.taken_twice" if outcome == "taken-twice"
                          else "offline.replay_conflict", site_id=site.id, compartment_id=parcel.compartment_id,
                          parcel_id=parcel.id, alert=True, state=parcel.state, **detail)
    session.add(OfflineReplay(kiosk_id=kiosk.id, key=item["key"], outcome=outcome, at=now,
                              detail={"code_id": item["code_id"], "kind": item["kind"]}))
    session.flush()
    return {"key": item["key"], "outcome": outcome, "replayed": False}


def kiosk_rows(session: Session, now: datetime, site_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Each active kiosk: online or not (heard from within ONLINE_WITHIN), its last sync and queue length."""
    query = (select(Kiosk.id, Kiosk.last_seen_at, Site.id.label("site_id"), Site.code, AgentReport.last_sync_at,
                    AgentReport.queue_length)
             .join(Site, Site.id == Kiosk.site_id)
             .outerjoin(AgentReport, AgentReport.kiosk_id == Kiosk.id)
             .where(Kiosk.active).order_by(Site.code, Kiosk.id))
    if site_ids is not None:
        query = query.where(Site.id.in_(site_ids))
    return [{"kiosk": row.id, "site": row.code, "site_id": row.site_id,
             "online": row.last_seen_at is not None and row.last_seen_at >= now - ONLINE_WITHIN,
             "last_seen": iso(row.last_seen_at), "last_sync": iso(row.last_sync_at),
             "queue_length": row.queue_length or 0}
            for row in session.execute(query)]
