"""Who sees which districts, changed by a city-wide operator (page and JSON). On the admin blueprint, so its
guard covers them; the service ends the changed admin's sessions."""

from __future__ import annotations

from typing import Any

from flask import Response, g, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from ..admin import bp
from ..admin.access import current_scope
from ..admin.operations import _run_form
from ..extensions import current_session
from ..models import Admin
from ..services import admin_auth
from ..services.errors import InvalidInput, NotFound
from ..web.parsing import json_object
from ..web.transaction import commit, committed_json, now
from . import service


def _admin(admin_id: int) -> Admin:
    found = current_session().get(Admin, admin_id) if 0 < admin_id < 2**63 else None
    if found is None:
        raise NotFound("there is no such admin")
    return found


def _view(admin: Admin) -> dict[str, Any]:
    return {"id": admin.id, "username": admin.username, "role": admin.role, "all_districts": admin.all_districts,
            "districts": [] if admin.all_districts else service.districts_of(current_session(), admin)}


def _change(admin_id: int, all_districts: bool, districts: object) -> Admin:
    service.require_city_wide_operator(current_scope())
    target = _admin(admin_id)
    names = None if all_districts else service.parse_districts(districts)
    service.set_scope(current_session(), now(), target, names, admin_auth.actor(g.admin))
    return target


@bp.get("/admins")
def admins_page() -> str:
    service.require_city_wide_operator(current_scope())
    session = current_session()
    rows = [_view(a) for a in session.scalars(select(Admin).order_by(Admin.username))]
    known = service.known_districts(session)
    commit()
    return render_template("admin/admins.html", rows=rows, known=known)


@bp.post("/admins/<int:admin_id>/scope")
def set_admin_scope_form(admin_id: int) -> WerkzeugResponse:
    every = request.form.get("all_districts") == "1"
    return _run_form(lambda: _change(admin_id, every, request.form.get("districts")),
                     gettext("Scope saved; that admin's sessions have ended."), url_for("admin.admins_page"))


@bp.post("/api/admins/<int:admin_id>/scope")
def api_set_admin_scope(admin_id: int) -> Response:
    body = json_object()
    every = body.get("all_districts", False)
    if not isinstance(every, bool):
        raise InvalidInput("all_districts must be true or false", field="all_districts")
    payload = _view(_change(admin_id, every, body.get("districts")))
    return committed_json(payload)
