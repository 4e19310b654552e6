"""Sites and compartments to and from rows of a CSV file (one row per compartment), for districts that
load hundreds of sites at once.

Import is an upsert by site code and compartment label: new sites and compartments are created, existing
ones take the file's values, and a file that matches the database changes nothing. A blank cell leaves
the value as it is (a new site gets the default). Nothing is ever deleted: compartments missing from the
file stay as they are. Every row is checked, against the file and the database, before anything changes;
one bad row and nothing is written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import SIZES, Compartment, Parcel, Site, parcel_active
from . import events
from .policy import LIMITS
from .provisioning import SITE_CODE, SMS_NAME_MAX

SITE_FIELDS = ("name", "sms_name", "district", "country", "timezone", "language", "lat", "lon",
               "address", "opening_hours", "require_phone_suffix", *LIMITS, "currency", "sms_sender")
COMPARTMENT_FIELDS = ("size", "accessible", "in_service")
COLUMNS = ("site", *SITE_FIELDS, "compartment", *COMPARTMENT_FIELDS)
REQUIRED = ("site", "compartment", "size")
# Needed only when the row's site is new.
REQUIRED_FOR_NEW_SITE = ("name",)
MAX_ERRORS = 50

_LABEL = re.compile(r"^[A-Z0-9-]{1,8}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}


class ImportRefused(Exception):
    """The file has errors; nothing was changed."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} error(s); nothing was changed")
        self.errors = errors


@dataclass
class SitePlan:
    code: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    compartments: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # label -> (line, values)


@dataclass
class Summary:
    sites_created: int = 0
    sites_updated: int = 0
    sites_unchanged: int = 0
    compartments_created: int = 0
    compartments_updated: int = 0
    compartments_unchanged: int = 0
    compartments_not_in_file: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.sites_created or self.sites_updated or self.compartments_created
                    or self.compartments_updated)


# --- export ------------------------------------------------------------------------------------------

# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): a site's name of `=HYPERLINK(...)`
# becomes a link, or worse, on the operator's machine. Such cells go out with a leading apostrophe, which
# spreadsheets show as text; import takes it off again. Plain numbers (a negative longitude) stay numbers.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def escape_formula(text: str) -> str:
    """Also escapes a leading apostrophe, so that unescape_formula gives back exactly what was exported."""
    if text.startswith(("'", *_FORMULA_START)) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_formula(text: str) -> str:
    if text.startswith("'") and text[1:2] and text[1] in ("'", *_FORMULA_START):
        return text[1:]
    return text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape_formula(str(value))


def export_rows(session: Session) -> list[dict[str, str]]:
    sites = session.scalars(select(Site).options(selectinload(Site.compartments)).order_by(Site.code)).all()
    rows = []
    for site in sites:
        shared = {"site": site.code, **{name: _cell(getattr(site, name)) for name in SITE_FIELDS}}
        for compartment in site.compartments:
            rows.append({**shared, "compartment": compartment.label,
                         **{name: _cell(getattr(compartment, name)) for name in COMPARTMENT_FIELDS}})
    return rows


# --- reading and checking the file -------------------------------------------------------------------

def _parse(name: str, raw: str) -> Any:
    """One cell to its value; raises ValueError with a message for the operator."""
    value = raw.strip()
    if name in ("accessible", "in_service", "require_phone_suffix"):
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ValueError("use true or false")
    if name in ("lat", "lon"):
        number = float(value)
        bound = 90 if name == "lat" else 180
        if not -bound <= number <= bound:
            raise ValueError(f"must be between -{bound} and {bound}")
        return number
    if name in LIMITS:
        limit = LIMITS[name]
        if not (value.isascii() and value.isdigit()) or not limit.low <= int(value) <= limit.high:
            raise ValueError(f"must be a whole number from {limit.low} to {limit.high} ({limit.unit})")
        return int(value)
    if name == "size":
        if value.upper() not in SIZES:
            raise ValueError(f"must be one of {', '.join(SIZES)}")
        return value.upper()
    if name == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a known time zone (e.g. Asia/Seoul)") from None
        return value
    if name == "language":
        if value not in ("ko", "en"):
            raise ValueError("must be ko or en")
        return value
    if name == "currency":
        if not _CURRENCY.match(value.upper()):
            raise ValueError("must be a three-letter ISO 4217 code such as KRW")
        return value.upper()
    if name == "country":
        if not _COUNTRY.match(value.upper()):
            raise ValueError("must be a two-letter country code such as KR")
        return value.upper()
    if name == "sms_sender":  # korea_sms.routing; `default` goes back to the country's sender
        if value.lower() not in ("twilio", "solapi", "console", "default"):
            raise ValueError("must be twilio, solapi, console or default (the country's sender)")
        return None if value.lower() == "default" else value.lower()
    if name == "sms_name" and len(value) > SMS_NAME_MAX:
        raise ValueError(f"must be at most {SMS_NAME_MAX} characters")
    if name in ("name", "district") and len(value) > (120 if name == "name" else 80):
        raise ValueError("is too long")
    if name in ("address", "opening_hours") and len(value) > (200 if name == "address" else 80):
        raise ValueError("is too long")
    return value


def plan_import(header: list[str] | None, rows: list[dict[str, str | None]]) -> list[SitePlan]:
    """Check the whole file on its own (the database comes later); raises ImportRefused with every error."""
    errors: list[str] = []
    columns = [c.strip() for c in header or []]
    unknown = sorted(set(columns) - set(COLUMNS))
    missing = [c for c in REQUIRED if c not in columns]
    if unknown:
        errors.append(f"unknown columns: {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
    if missing:
        errors.append(f"missing columns: {', '.join(missing)}")
    if len(set(columns)) != len(columns):
        errors.append("a column appears twice in the header")
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused(["the file has no rows"])

    plans: dict[str, SitePlan] = {}
    for index, row in enumerate(rows):
        line = index + 2  # the header is line 1
        if None in row:
            errors.append(f"line {line}: more cells than columns")
            continue
        cells = {k.strip(): unescape_formula((v or "").strip()) for k, v in row.items() if k is not None}
        code = cells.get("site", "").upper()
        label = cells.get("compartment", "").upper()
        if not SITE_CODE.match(code):
            errors.append(f"line {line}: site {code!r}: use capitals, digits and dashes, like MAPO-001")
            continue
        if not _LABEL.match(label):
            errors.append(f"line {line}: compartment {label!r}: use up to 8 capitals and digits, like A03")
            continue
        values: dict[str, Any] = {}
        for name in (*SITE_FIELDS, *COMPARTMENT_FIELDS):
            raw = cells.get(name, "")
            if raw == "":
                continue
            try:
                values[name] = _parse(name, raw)
            except ValueError as exc:
                errors.append(f"line {line}: {name} {raw!r} {exc}")
        if "size" not in values and not any(e.startswith(f"line {line}: size") for e in errors):
            errors.append(f"line {line}: size is required")
        plan = plans.setdefault(code, SitePlan(code, line))
        for name in SITE_FIELDS:
            if name in values:
                before = plan.values.setdefault(name, values[name])
                if before != values[name]:
                    errors.append(f"line {line}: site {code}: {name} {values[name]!r} differs from {before!r} "
                                  f"on an earlier row of the same site")
        if label in plan.compartments:
            errors.append(f"line {line}: site {code}: compartment {label} appears twice "
                          f"(first on line {plan.compartments[label][0]})")
            continue
        plan.compartments[label] = (line, {n: values[n] for n in COMPARTMENT_FIELDS if n in values})
    if errors:
        raise ImportRefused(errors)
    return list(plans.values())


# --- applying it -------------------------------------------------------------------------------------

def _column_default(name: str) -> Any:
    default = Site.__table__.c[name].default
    return getattr(default, "arg", None)


# A new site's values where the file leaves them blank: the model's defaults (Seoul's public lockers).
SITE_DEFAULTS = {name: _column_default(name) for name in SITE_FIELDS if _column_default(name) is not None}


def _site_defaults(plan: SitePlan) -> dict[str, Any]:
    return {**SITE_DEFAULTS, "sms_name": plan.values["name"][:SMS_NAME_MAX]}


def _check_against_database(plans: list[SitePlan], existing: dict[str, Site], busy: set[int]) -> list[str]:
    errors: list[str] = []
    for plan in plans:
        site = existing.get(plan.code)
        if site is None:
            errors.extend(f"line {plan.line}: site {plan.code} is new and needs {name}"
                          for name in REQUIRED_FOR_NEW_SITE if name not in plan.values)
            merged = {**SITE_DEFAULTS, **plan.values}
        else:
            merged = {**{name: getattr(site, name) for name in SITE_FIELDS}, **plan.values}
            by_label = {c.label: c for c in site.compartments}
            for label, (line, values) in plan.compartments.items():
                compartment = by_label.get(label)
                if (compartment is not None and compartment.id in busy and "size" in values
                        and values["size"] != compartment.size):
                    errors.append(f"line {line}: site {plan.code}: compartment {label} holds a parcel; "
                                  f"its size cannot change from {compartment.size} to {values['size']} now")
        if merged.get("reminder_before_free_end_hours", 0) > merged.get("free_hours", 0):
            errors.append(f"line {plan.line}: site {plan.code}: reminder_before_free_end_hours cannot be longer "
                          f"than free_hours")
    return errors


def apply_import(session: Session, now: datetime, plans: list[SitePlan], actor: str) -> Summary:
    """Create and update what the file says; raises ImportRefused (having changed nothing) on any error."""
    codes = [plan.code for plan in plans]
    existing = {site.code: site for site in session.scalars(
        select(Site).where(Site.code.in_(codes)).options(selectinload(Site.compartments))).all()}
    busy = set(session.scalars(
        select(Parcel.compartment_id).join(Site, Site.id == Parcel.site_id)
        .where(Site.code.in_(codes), parcel_active())).all())
    errors = _check_against_database(plans, existing, busy)
    if errors:
        raise ImportRefused(errors)

    summary = Summary()
    for plan in plans:
        site = existing.get(plan.code)
        changes: dict[str, Any] = defaultdict(dict)
        if site is None:
            site = Site(code=plan.code, created_at=now, **{**_site_defaults(plan), **plan.values})
            session.add(site)
            summary.sites_created += 1
        else:
            for name, value in plan.values.items():
                if getattr(site, name) != value:
                    changes["site"][name] = [getattr(site, name), value]
                    setattr(site, name, value)
        by_label = {c.label: c for c in site.compartments}
        for label, (_, values) in plan.compartments.items():
            compartment = by_label.get(label)
            if compartment is None:
                site.compartments.append(Compartment(label=label, size=values["size"],
                                                     accessible=values.get("accessible", False),
                                                     in_service=values.get("in_service", True)))
                summary.compartments_created += 1
                changes["compartments_created"][label] = values["size"]
                continue
            moved = {name: [getattr(compartment, name), value] for name, value in values.items()
                     if getattr(compartment, name) != value}
            for name, (_, value) in moved.items():
                setattr(compartment, name, value)
            if moved:
                summary.compartments_updated += 1
                changes["compartments_updated"][label] = moved
            else:
                summary.compartments_unchanged += 1
        summary.compartments_not_in_file += len(set(by_label) - set(plan.compartments))
        if plan.code in existing:
            if changes:
                summary.sites_updated += 1
            else:
                summary.sites_unchanged += 1
        session.flush()
        if changes or plan.code not in existing:
            events.record(session, now, actor, "site.imported", site_id=site.id, created=plan.code not in existing,
                          changes={k: dict(v) for k, v in changes.items()})
    return summary
