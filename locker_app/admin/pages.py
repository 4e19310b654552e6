"""The admin's HTML pages: parse, call a service, render; forms post back and redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from ..extensions import current_session
from ..models import PARCEL_STATES
from ..offline import service as offline_service
from ..services import admin_auth, admin_search, compartments, events, occupancy
from ..services.admin_search import Page
from ..services.errors import ServiceError
from ..services.parcels import find_site
from ..services.policy import LIMITS, policy_view
from ..web.parsing import query_int
from ..web.transaction import commit, now, rollback
from . import bp
from .access import sign_in, sign_out
from .chart import layout
from .filters import admin_zone, event_filter, message_filter, page, text
from .operations import keypad_view
from .shaping import bar_parts

HISTORY_HOURS = (24, 48, 168)


def _safe_next(target: str | None) -> str | None:
    # Only back into the admin pages of this service: never an open redirect.
    if target and target.startswith("/admin/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    next_page = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.admin is not None:
            return redirect(next_page or url_for("admin.dashboard"))
        return render_template("admin/login.html", next_page=next_page)
    session = current_session()
    attempt = admin_auth.record_attempt(session, now(), request.form.get("username"), request.remote_addr)
    commit()  # counted by every worker before any password is checked; see services/admin_auth.py
    try:
        admin_auth.check_throttle(session, now(), attempt)
    except admin_auth.LoginThrottled as exc:
        rollback()
        wait = exc.extra["retry_after"]
        return render_template("admin/login.html", next_page=next_page, error=exc.detail), 429, {
            "Retry-After": str(wait)}
    admin = admin_auth.authenticate(session, now(), attempt, request.form.get("password"))
    commit()
    if admin is None:
        return render_template("admin/login.html", next_page=next_page,
                               error=gettext("wrong username or password")), 401
    sign_in(admin, now())
    commit()
    return redirect(next_page or url_for("admin.dashboard"))


@bp.post("/logout")
def logout() -> WerkzeugResponse:
    if g.admin is not None:
        events.record(current_session(), now(), admin_auth.actor(g.admin), "admin.logout")
    sign_out()
    commit()
    return redirect(url_for("admin.login"))


@bp.get("/")
def dashboard() -> str:
    district, site_code = text("district"), text("site")
    hours = query_int("hours", 48, 6, 24 * 14)
    session, at = current_session(), now()
    document = occupancy.occupancy(session, at, district=district, site_code=site_code)
    past = occupancy.history(session, at, hours=hours, district=district, site_code=site_code)
    chart = layout(past["points"], datetime.fromisoformat(past["since"]), hours, admin_zone())
    choices = [(s.code, s.name, s.district) for s in occupancy.choose_sites(session)]
    district_choices = occupancy.districts(session)
    kiosks: dict[str, list[dict[str, Any]]] = {}
    for row in offline_service.kiosk_rows(session, at):
        kiosks.setdefault(row["site"], []).append(row)
    commit()
    for tile in document["sites"]:
        tile["bars"] = {size: bar_parts(counts) for size, counts in tile["sizes"].items() if counts["total"]}
    return render_template("admin/dashboard.html", doc=document, chart=chart, hours=hours,
                           hour_choices=HISTORY_HOURS, district=district, site=site_code, sites=choices,
                           districts=district_choices, total_bar=bar_parts(document["total"]), kiosks=kiosks)


@bp.get("/sites/<site_code>")
def site_page(site_code: str) -> str:
    session = current_session()
    site = find_site(session, site_code)
    rows = compartments.compartment_rows(session, site)
    tile = occupancy.occupancy(session, now(), site_code=site.code)["sites"][0]
    pad = keypad_view(site)
    policy = policy_view(site)
    commit()
    return render_template("admin/site.html", site=site, rows=rows, tile=tile, reason_max=compartments.REASON_MAX,
                           keypad=pad, policy=policy, limits=LIMITS)


def _change_compartment(site_code: str, label: str, action: str) -> WerkzeugResponse:
    change = compartments.disable if action == "disable" else compartments.enable
    try:
        compartment = change(current_session(), now(), admin_auth.actor(g.admin), site_code, label,
                             request.form.get("reason") or (None if action == "enable" else ""))
        commit()
    except ServiceError as exc:
        rollback()
        flash(f"{site_code} {label}: {exc.detail}", "error")
    else:
        if action == "disable":
            flash(gettext("%(site)s %(door)s is out of service.", site=site_code, door=compartment.label), "ok")
        else:
            flash(gettext("%(site)s %(door)s is back in service.", site=site_code, door=compartment.label), "ok")
    return redirect(url_for("admin.site_page", site_code=site_code) + f"#c-{label}")


@bp.post("/sites/<site_code>/compartments/<label>/disable")
def disable_compartment(site_code: str, label: str) -> WerkzeugResponse:
    return _change_compartment(site_code, label, "disable")


@bp.post("/sites/<site_code>/compartments/<label>/enable")
def enable_compartment(site_code: str, label: str) -> WerkzeugResponse:
    return _change_compartment(site_code, label, "enable")


@bp.get("/parcels")
def parcels_page() -> str:
    session = current_session()
    where = {"tracking_number": text("tracking_number"), "state": text("state", 16, exact=True),
             "site_code": text("site")}
    paging = page()
    found = [admin_search.admin_parcel_view(p) for p in admin_search.search_parcels(session, **where, page=paging)]
    sites = [s.code for s in occupancy.choose_sites(session)]
    commit()
    return render_template("admin/parcels.html", parcels=found, where=where, paging=paging, states=PARCEL_STATES,
                           sites=sites)


@bp.get("/parcels/<parcel_id>")
def parcel_page(parcel_id: str) -> str:
    session = current_session()
    parcel = admin_search.admin_parcel_view(admin_search.get_parcel(session, parcel_id))
    history = admin_search.search_events(session, admin_search.EventFilter(parcel_id=parcel_id))
    messages = admin_search.search_messages(session, admin_search.MessageFilter(parcel_id=parcel_id))
    commit()
    return render_template("admin/parcel.html", parcel=parcel, events=history, messages=messages)


def _log_page(template: str, search: Callable[[Session, Any, Page], list[Any]], where: Any, **extra: Any) -> str:
    """The events and messages pages: a filtered, paged log with the site picker (the sites the admin may see)."""
    session = current_session()
    paging = page(100)
    rows = search(session, where, paging)
    sites = [s.code for s in occupancy.choose_sites(session)]
    commit()
    return render_template(template, rows=rows, where=where, paging=paging, sites=sites, args=request.args, **extra)


@bp.get("/events")
def events_page() -> str:
    return _log_page("admin/events.html", admin_search.search_events, event_filter())


@bp.get("/messages")
def messages_page() -> str:
    return _log_page("admin/messages.html", admin_search.search_messages, message_filter(),
                     statuses=admin_search.MESSAGE_STATUSES)
