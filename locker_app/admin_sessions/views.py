"""An admin's own sessions: how many are open, and "sign out everywhere" (page and JSON)."""

from __future__ import annotations

from flask import Response, g, redirect, render_template, session, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from ..admin import bp
from ..extensions import current_session
from ..services import admin_auth, events
from ..web.parsing import json_object
from ..web.transaction import commit, committed_json, now
from . import service


def _end_all() -> int:
    ended = service.end_all(current_session(), g.admin.id)
    events.record(current_session(), now(), admin_auth.actor(g.admin), "admin.sessions_ended", sessions=ended)
    return ended


@bp.get("/account")
def account_page() -> str:
    count = service.count_open(current_session(), now(), g.admin.id)
    commit()
    return render_template("admin/account.html", open_sessions=count)


@bp.post("/account/sessions/end-all")
def end_my_sessions() -> WerkzeugResponse:
    _end_all()
    commit()
    session.clear()  # this browser's session was one of them
    return redirect(url_for("admin.login"))


@bp.post("/api/me/sessions/end-all")
def api_end_my_sessions() -> Response:
    json_object(optional=True)
    payload = {"sessions_ended": _end_all()}
    return committed_json(payload)
