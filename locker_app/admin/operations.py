"""Operator actions that reach beyond the admin module: remote open, keypad unlock, resend, policy.

Each has a JSON endpoint for scripts and a form for the pages; both call the same service and record
an event through it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, g, redirect, request, url_for
from flask_babel import get_locale, gettext
from werkzeug.wrappers import Response as WerkzeugResponse

from ..extensions import current_session
from ..four_eyes import service as four_eyes
from ..models import Site
from ..services import admin_auth, admin_search, keypad, resend
from ..services.errors import ServiceError
from ..services.parcels import find_site
from ..services.policy import POLICY_FIELDS, policy_view, update_policy
from ..web.parsing import json_object
from ..web.transaction import commit, committed_json, now, rollback
from . import bp
from .labels import title_of
from .shaping import as_json


def keypad_view(site: Site) -> dict[str, Any]:
    return {"site": site.code, **as_json(keypad.status(current_session(), now(), site))}


def _remote_open(site_code: str, label: str, category: object, reason: object) -> dict[str, Any]:
    """An empty door opens at once; one holding a parcel waits for a second operator (four_eyes)."""
    session = current_session()
    site = find_site(session, site_code)
    return four_eyes.ask_to_open(session, now(), site, label, category, reason, admin_auth.actor(g.admin))


def _unlock(site: Site) -> bool:
    return keypad.unlock(current_session(), now(), site, admin_auth.actor(g.admin))


def _resend(parcel_id: str) -> dict[str, Any]:
    """Returns the parcel's admin view; a cap that refuses the SMS is kept as an event, then raised."""
    session = current_session()
    parcel = admin_search.get_parcel(session, parcel_id)
    message = resend.resend_code(session, now(), parcel, current_app.config["CODE_PEPPERS"],
                                 admin_auth.actor(g.admin))
    if message is None:
        commit()  # keep the sms.refused event
        raise resend.SmsCapReached("the SMS caps refused another message to this number; the old code still works")
    return {**admin_search.admin_parcel_view(parcel),
            "resends_left": resend.MAX_RESENDS - resend.resends_so_far(session, parcel.id)}


# --- JSON ------------------------------------------------------------------------------------------

@bp.post("/api/sites/<site_code>/compartments/<label>/open")
def api_remote_open(site_code: str, label: str) -> Response:
    body = json_object()
    command = _remote_open(site_code, label, body.get("category"), body.get("reason"))
    return committed_json(command, 202)  # the kiosk carries it out when it next polls


@bp.get("/api/sites/<site_code>/keypad")
def api_keypad(site_code: str) -> Response:
    payload = keypad_view(find_site(current_session(), site_code))
    return committed_json(payload)


@bp.post("/api/sites/<site_code>/keypad/unlock")
def api_keypad_unlock(site_code: str) -> Response:
    json_object(optional=True)
    site = find_site(current_session(), site_code)  # once: the unlock and the answer both need it
    was_paused = _unlock(site)
    payload = {**keypad_view(site), "was_paused": was_paused}
    return committed_json(payload)


@bp.post("/api/parcels/<parcel_id>/resend")
def api_resend(parcel_id: str) -> Response:
    json_object(optional=True)
    payload = _resend(parcel_id)
    return committed_json(payload)


@bp.get("/api/sites/<site_code>/policy")
def api_policy(site_code: str) -> Response:
    payload = policy_view(find_site(current_session(), site_code))
    return committed_json(payload)


@bp.post("/api/sites/<site_code>/policy")
def api_update_policy(site_code: str) -> Response:
    body = json_object()
    session = current_session()
    payload = update_policy(session, now(), find_site(session, site_code), admin_auth.actor(g.admin), **body)
    return committed_json(payload)


# --- forms -----------------------------------------------------------------------------------------

def _run_form(action: Any, done: str | Any, back: str) -> WerkzeugResponse:
    try:
        action()
        commit()
    except ServiceError as exc:
        rollback()
        # The service's detail is English (the JSON API's words); the title says it in the reader's language.
        flash(exc.detail if str(get_locale()) == "en" else f"{title_of(exc.slug, exc.title)} ({exc.detail})", "error")
    else:
        flash(done if isinstance(done, str) else done(), "ok")
    return redirect(back)


@bp.post("/sites/<site_code>/compartments/<label>/open")
def remote_open(site_code: str, label: str) -> WerkzeugResponse:
    back = url_for("admin.site_page", site_code=site_code) + f"#c-{label}"
    answer: dict[str, Any] = {}

    def ask() -> None:
        answer.update(_remote_open(site_code, label, request.form.get("category"), request.form.get("reason")))

    def done() -> str:
        if answer.get("approval_required"):
            return gettext("%(site)s %(door)s holds a parcel: the open waits for another operator's approval "
                           "(Open requests).", site=site_code, door=label)
        return gettext("%(site)s %(door)s: the kiosk opens the door when it next checks in (within seconds).",
                       site=site_code, door=label)

    return _run_form(ask, done, back)


@bp.post("/sites/<site_code>/keypad/unlock")
def keypad_unlock(site_code: str) -> WerkzeugResponse:
    back = url_for("admin.site_page", site_code=site_code)
    return _run_form(lambda: _unlock(find_site(current_session(), site_code)),
                     gettext("%(site)s: the keypad takes codes again.", site=site_code), back)


@bp.post("/parcels/<parcel_id>/resend")
def resend_form(parcel_id: str) -> WerkzeugResponse:
    back = url_for("admin.parcel_page", parcel_id=parcel_id)
    done = gettext("A new code is on its way by SMS; the old one no longer works.")
    return _run_form(lambda: _resend(parcel_id), done, back)


@bp.post("/sites/<site_code>/policy")
def policy_form(site_code: str) -> WerkzeugResponse:
    def change() -> None:
        fields: dict[str, object] = {}
        for name in POLICY_FIELDS:
            raw = (request.form.get(name) or "").strip()
            if raw:
                number = raw.lstrip("-")
                whole = number.isascii() and number.isdigit()
                # Not a whole number: passed on as text, for update_policy to refuse with its own message.
                fields[name] = int(raw) if whole and name != "currency" else raw
        session = current_session()
        update_policy(session, now(), find_site(session, site_code), admin_auth.actor(g.admin), **fields)

    done = gettext("%(site)s: storage policy saved.", site=site_code)
    return _run_form(change, done, url_for("admin.site_page", site_code=site_code))
