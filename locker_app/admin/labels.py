"""What the admin shows for the service's own values (parcel states, message statuses, ...), in the reader's
language. The values themselves stay English in JSON, CSV and filters; only the label is translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    # parcel states
    "reserved": _l("reserved"), "stored": _l("stored"), "picked_up": _l("picked up"),
    "cancelled": _l("cancelled"), "expired": _l("expired"), "returned": _l("returned"),
    # compartment statuses (and the legend)
    "free": _l("free"), "occupied": _l("occupied"), "disabled": _l("out of service"),
    # message statuses
    "pending": _l("pending"), "claimed": _l("being sent"), "sending": _l("sending"), "queued": _l("queued"),
    "accepted": _l("accepted"), "sent": _l("sent"), "delivered": _l("delivered"),
    "undelivered": _l("undelivered"), "failed": _l("failed"),
    # message kinds
    "delivery": _l("delivery"), "reminder": _l("reminder"), "expiry": _l("expiry"), "return": _l("return"),
    "resend": _l("new code"),
    # keypad
    "locked": _l("locked"), "paused": _l("paused"), "open": _l("open"),
    # storage policy fields and their units
    "reservation_hold_minutes": _l("reservation hold"), "free_hours": _l("free storage"),
    "fee_per_day": _l("fee per started day"), "reminder_after_hours": _l("first reminder after"),
    "reminder_before_free_end_hours": _l("reminder before free storage ends"), "expiry_days": _l("expiry after"),
    "currency": _l("currency"),
    "minutes": _l("minutes"), "hours": _l("hours"), "days": _l("days"),
    "units of the currency": _l("units of the currency"), "hours (0: no reminder)": _l("hours (0: no reminder)"),
    # why an operator opens a compartment remotely (four_eyes)
    "resident-request": _l("the resident asked"), "door-fault": _l("door fault"),
    "wrong-compartment": _l("wrong compartment"), "maintenance": _l("maintenance"), "safety": _l("safety check"),
    "other": _l("other"),
    # roles
    "operator": _l("operator"), "viewer": _l("viewer"),
}

# Problem titles by slug, for the admin's own pages (the JSON API keeps the English title and detail).
TITLES = {
    "not-found": _l("Not found"), "invalid-input": _l("The request is not valid"),
    "invalid-state": _l("This cannot be done in the parcel's current state"),
    "forbidden": _l("You may not do this"), "unauthorized": _l("Please sign in"),
    "too-many-requests": _l("Too many attempts: wait a moment"), "conflict": _l("Conflict"),
    "bad-request": _l("Bad request"),
}


def label(value: object) -> str:
    """The translated label of a value, or the value itself where it is data (a code, a name)."""
    if value is None:
        return ""
    text = str(value)
    found = LABELS.get(text)
    return str(found) if found is not None else text


def title_of(slug: str, fallback: str) -> str:
    found = TITLES.get(slug)
    return str(found) if found is not None else fallback
