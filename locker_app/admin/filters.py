"""Reading the filters of admin pages and API calls from the query string, strictly."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, request

from ..services.admin_search import EventFilter, MessageFilter, Page
from ..services.errors import InvalidInput
from ..web.parsing import query_int


def text(name: str, max_len: int = 64, *, exact: bool = False) -> str | None:
    """A filter's text; `exact` for enum filters, whose value must be one of the names as it stands (the
    OpenAPI document says so: " pending" is not "pending")."""
    raw = request.args.get(name, "")
    raw = raw if exact else raw.strip()
    if not raw:
        return None
    if len(raw) > max_len or not raw.isprintable():
        raise InvalidInput(f"{name} must be at most {max_len} printable characters", field=name)
    return raw


def admin_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["ADMIN_TIMEZONE"])


def when(name: str, *, end: bool = False) -> datetime | None:
    """A day (`2026-11-24`, in the admin time zone; as an end, the whole day is included) or an
    ISO-8601 time with its offset (`2026-11-24T09:00:00+09:00`, `...Z`)."""
    raw = text(name, 40)
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(), admin_zone()).astimezone(UTC)
        at = datetime.fromisoformat(raw)
        if at.tzinfo is None:
            raise InvalidInput(f"{name} needs a time zone offset, e.g. +09:00 or Z", field=name)
        return at.astimezone(UTC)
    except OverflowError as exc:
        # 0001-01-01 in Seoul is before year 1 in UTC; the day after 9999-12-31 is no date at all.
        raise InvalidInput(f"{name} must be a date from 0002-01-01 to 9998-12-31", field=name) from exc
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a date (2026-11-24) or an ISO-8601 time with an offset",
                           field=name) from exc


def page(default: int = 50, most: int = 500) -> Page:
    return Page(limit=query_int("limit", default, 1, most), offset=query_int("offset", 0, 0, 10_000_000))


def event_filter() -> EventFilter:
    return EventFilter(site_code=text("site"), action=text("action"), actor=text("actor"),
                       parcel_id=text("parcel"), compartment=text("compartment", 8),
                       since=when("since"), until=when("until", end=True))


def message_filter() -> MessageFilter:
    return MessageFilter(site_code=text("site"), status=text("status", 16, exact=True),
                         kind=text("kind", 16, exact=True),
                         parcel_id=text("parcel"), since=when("since"), until=when("until", end=True))
