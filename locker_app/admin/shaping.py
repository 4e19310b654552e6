"""Turning service rows into JSON documents, CSV rows and page-friendly values."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import format_timedelta, gettext


def iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    """Times as ISO-8601 UTC; the display time zone is a page matter."""
    return {key: iso(value) if isinstance(value, datetime) else value
            for key, value in row.items() if key != "timezone"}


EVENT_COLUMNS = ("id", "at", "actor", "actor_name", "action", "site", "compartment", "parcel_id",
                 "tracking_number", "detail")
MESSAGE_COLUMNS = ("id", "created_at", "site", "parcel_id", "tracking_number", "kind", "to", "status",
                   "error_code", "attempts", "segments", "sent_at", "updated_at")


def csv_row(row: dict[str, Any], columns: tuple[str, ...]) -> list[Any]:
    shaped = as_json(row)
    return [json.dumps(shaped[c], ensure_ascii=False, sort_keys=True) if c == "detail" else shaped[c]
            for c in columns]


def local(at: datetime | str | None, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if at is None:
        return "—"
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.astimezone(zone).strftime(fmt)


def ago(at: str | None, now: datetime) -> str:
    """"3 minutes ago" in the reader's language (Babel's CLDR data), "just now" under 90 seconds."""
    if at is None:
        return str(gettext("never"))
    elapsed = now - datetime.fromisoformat(at)
    if elapsed.total_seconds() < 90:
        return str(gettext("just now"))
    return str(format_timedelta(-elapsed, add_direction=True, threshold=1.5))


def bar_parts(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Segments of a 100-unit bar, in the order free, reserved, occupied, disabled."""
    total = counts["total"] or 1
    x = 0.0
    parts = []
    for key in ("free", "reserved", "occupied", "disabled"):
        width = 100 * counts[key] / total
        if counts[key]:
            parts.append({"cls": key, "x": round(x, 2), "w": round(width, 2), "n": counts[key]})
        x += width
    return parts
