"""Kiosk endpoints: parse, authorise, call a service, shape the answer."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify

from ..extensions import current_session
from ..services.pickup import open_with_code
from ..web.auth import current_kiosk
from ..web.parsing import json_object
from ..web.transaction import commit, now

bp = Blueprint("kiosk_api", __name__, url_prefix="/kiosk/v1")


@bp.before_request
def _authenticate() -> None:
    g.kiosk = current_kiosk()
    g.kiosk.last_seen_at = now()


@bp.post("/pickup")
def pickup() -> Response:
    body = json_object()
    result = open_with_code(
        current_session(),
        now(),
        g.kiosk.site,
        body.get("code"),
        current_app.config["CODE_PEPPER"],
        phone_suffix=body.get("phone_suffix"),
        payment_reference=body.get("payment_reference"),
        actor=f"kiosk:{g.kiosk.id}",
    )
    commit()
    return jsonify(result)
