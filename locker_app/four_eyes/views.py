"""Open requests in the admin: the pending list (page and JSON) and approval (form and JSON).

Registered on the admin blueprint, so its guard (sign-in, CSRF, roles, the admin scope) covers them.
"""

from __future__ import annotations

from flask import Response, g, render_template, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as WerkzeugResponse

from ..admin import bp
from ..admin.operations import _run_form
from ..extensions import current_session
from ..services import admin_auth, events
from ..sms.kick import kick_relay
from ..web.parsing import json_object
from ..web.transaction import after_commit, commit, committed_json, now, rollback
from . import service


def _approve(request_id: int) -> dict[str, object]:
    session, actor = current_session(), admin_auth.actor(g.admin)
    try:
        command = service.approve(session, now(), request_id, actor)
    except (service.FourEyes, service.RequestExpired) as exc:
        # A refused approval is on the record too (the request itself is unchanged).
        rollback()
        request = service.find_request(session, request_id)
        events.record(session, now(), actor, "door.remote_open_approval_refused", site_id=request.site_id,
                      compartment_id=request.compartment_id, parcel_id=request.parcel_id, request_id=request.id,
                      why=exc.slug)
        commit()
        raise
    after_commit(kick_relay)  # the recipient's SMS
    return command


@bp.get("/api/open-requests")
def api_open_requests() -> Response:
    at = now()
    payload = {"requests": [service.request_view(r, at) for r in service.pending(current_session(), at)]}
    return committed_json(payload)


@bp.post("/api/open-requests/<int:request_id>/approve")
def api_approve_open_request(request_id: int) -> Response:
    json_object(optional=True)
    payload = _approve(request_id)
    return committed_json(payload, 202)  # the kiosk carries it out when it next polls


@bp.get("/open-requests")
def open_requests_page() -> str:
    at = now()
    rows = [service.request_view(r, at) for r in service.pending(current_session(), at)]
    names = admin_auth.admin_names(current_session())
    commit()
    return render_template("admin/open_requests.html", rows=rows, names=names, me=admin_auth.actor(g.admin))


@bp.post("/open-requests/<int:request_id>/approve")
def approve_open_request(request_id: int) -> WerkzeugResponse:
    return _run_form(lambda: _approve(request_id),
                     gettext("Approved: the kiosk opens the door when it next checks in, and the recipient is told "
                             "by SMS."),
                     url_for("admin.open_requests_page"))
