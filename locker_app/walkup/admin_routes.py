"""Admin: couriers' kiosk sign-ins. An operator deactivates a courier or gives a new PIN (shown once);
the admin blueprint's guard refuses these POSTs to viewers, and each is an event."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..admin import bp
from ..admin.access import current_scope
from ..extensions import current_session
from ..models import Courier
from ..scope.service import require_city_wide
from ..services import admin_auth
from ..services.errors import NotFound, ServiceError
from ..web.parsing import json_object
from ..web.transaction import commit, committed_json, now, rollback
from . import credentials
from .models import KioskCredential


def _courier_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()):
        raise NotFound("there is no such courier")
    return int(raw)


def courier_rows() -> list[dict[str, Any]]:
    require_city_wide(current_scope())
    session = current_session()
    found = session.scalars(select(Courier).options(joinedload(Courier.carrier)).order_by(Courier.id)).all()
    pins = {c.courier_id: c for c in session.scalars(select(KioskCredential))}
    return [{"courier_id": c.id, "name": c.name, "carrier": c.carrier.name, "active": c.active,
             **credentials.credential_view(pins.get(c.id))} for c in found]


@bp.get("/api/couriers")
def api_couriers() -> Response:
    rows = courier_rows()
    return committed_json({"couriers": rows})


@bp.post("/api/couriers/<courier_id>/deactivate")
def api_deactivate_courier(courier_id: str) -> Response:
    json_object(optional=True)
    require_city_wide(current_scope())
    courier = credentials.deactivate(current_session(), now(), _courier_id(courier_id), admin_auth.actor(g.admin))
    answer = {"courier_id": courier.id, "active": courier.active}
    return committed_json(answer)


@bp.post("/api/couriers/<courier_id>/reset-pin")
def api_reset_pin(courier_id: str) -> Response:
    json_object(optional=True)
    require_city_wide(current_scope())
    pin = credentials.reset_pin(current_session(), now(), _courier_id(courier_id), admin_auth.actor(g.admin))
    commit()
    response = jsonify({"courier_id": int(courier_id), "kiosk_pin": pin})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/couriers")
def couriers_page() -> str:
    rows = courier_rows()
    commit()
    return render_template("admin/couriers.html", couriers=rows, shown_pin=None)


def _form(action: Any) -> tuple[str, int]:
    require_city_wide(current_scope())
    shown: dict[str, Any] | None = None
    error = None
    try:
        shown = action()
        commit()
    except ServiceError as exc:
        rollback()
        error = exc.detail
    rows = courier_rows()
    commit()
    # The new PIN is shown in this page only (not flashed: the session cookie is readable, and would keep it).
    page = render_template("admin/couriers.html", couriers=rows, shown_pin=shown, error=error)
    return page, 200 if error is None else 409


@bp.post("/couriers/<courier_id>/deactivate")
def deactivate_form(courier_id: str) -> tuple[str, int]:
    def run() -> None:
        credentials.deactivate(current_session(), now(), _courier_id(courier_id), admin_auth.actor(g.admin))

    return _form(run)


@bp.post("/couriers/<courier_id>/reset-pin")
def reset_pin_form(courier_id: str) -> tuple[str, int]:
    def run() -> dict[str, Any]:
        number = _courier_id(courier_id)
        return {"courier_id": number, "pin": credentials.reset_pin(current_session(), now(), number,
                                                                    admin_auth.actor(g.admin))}

    return _form(run)
