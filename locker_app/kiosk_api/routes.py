"""Kiosk endpoints: parse, authorise, call a service, shape the answer."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g

from ..extensions import current_session
from ..openapi import schemas as io
from ..openapi.contract import contract
from ..services import doors, keypad, kiosk_commands
from ..services.errors import CodeRejected
from ..services.pickup import open_with_code
from ..walkup import lost_code, room
from ..web.auth import current_kiosk
from ..web.parsing import json_object
from ..web.transaction import commit, committed_json, now

bp = Blueprint("kiosk_api", __name__, url_prefix="/kiosk/v1")


@bp.before_request
def _authenticate() -> None:
    g.kiosk = current_kiosk()
    g.kiosk.last_seen_at = now()


@bp.get("/site")
@contract("The kiosk's site", auth="kiosk", responses={200: io.SiteOut})
def site() -> Response:
    """What the touchscreen needs to know about its site; nothing about any parcel."""
    place = g.kiosk.site
    answer = {"site": place.code, "name": place.name, "language": place.language,
              "phone_suffix_required": bool(place.require_phone_suffix),
              **room.site_room(current_session(), place)}  # free by size, pickup_only (issue 19)
    return committed_json(answer)


@bp.post("/pickup")
@contract("Open the door for a code", auth="kiosk", body=io.PickupIn,
          responses={200: io.PickupOut, 402: "problem", 403: "problem", 409: "problem"},
          description="Wrong and malformed codes get the same 403 code-rejected; too many failures "
                      "lock the keypad for a while (429 keypad-locked).")
def pickup() -> Response:
    body = json_object()
    session, at, place = current_session(), now(), g.kiosk.site
    try:
        # Holds the site's keypad row until the commit below, so workers take turns with the budget.
        keypad.check(session, at, place)
    except keypad.KeypadLocked:
        # Issue 20, 3: a fresh code from the lost-code path still opens its door while the keypad is paused.
        if not lost_code.bypasses_pause(session, at, place, body.get("code"), current_app.config["CODE_PEPPERS"]):
            commit()  # keeps last_seen_at and the tries the attempt spent
            raise
    try:
        with session.begin_nested():
            result = open_with_code(
                session,
                at,
                place,
                body.get("code"),
                current_app.config["CODE_PEPPERS"],
                phone_suffix=body.get("phone_suffix"),
                payment_reference=body.get("payment_reference"),
                actor=f"kiosk:{g.kiosk.id}",
            )
    except CodeRejected:
        # The attempt's own work is rolled back with the savepoint; the failure must still count.
        keypad.record_failure(session, at, place)
        commit()
        raise
    keypad.record_success(session, at, place)
    return committed_json(result)


@bp.post("/doors/<label>/closed")
@contract("A door was closed", auth="kiosk", body=io.EmptyIn, body_optional=True,
          responses={200: io.DoorOut, 409: "problem"})
def door_closed(label: str) -> Response:
    json_object(optional=True)
    answer = doors.door_closed(current_session(), now(), g.kiosk.site, label, f"kiosk:{g.kiosk.id}")
    return committed_json(answer)


@bp.post("/doors/<label>/fault")
@contract("A door is faulty: take it out of service", auth="kiosk", body=io.ReasonIn,
          body_optional=True, responses={200: io.DoorOut, 409: "problem"})
def door_fault(label: str) -> Response:
    body = json_object(optional=True)
    answer = doors.door_fault(current_session(), now(), g.kiosk.site, label, body.get("reason"),
                              f"kiosk:{g.kiosk.id}")
    return committed_json(answer)


@bp.post("/doors/<label>/alert")
@contract("A door needs a look (left open, or opened with no command)", auth="kiosk", body=io.DoorAlertIn,
          responses={202: io.DoorAlertOut, 404: "problem"},
          description="Raised by the locker agent's door watcher; an event door.alert that admins see.")
def door_alert(label: str) -> Response:
    body = json_object()
    answer = doors.door_alert(current_session(), now(), g.kiosk.site, label, body.get("kind"), body.get("reason"),
                              f"kiosk:{g.kiosk.id}")
    return committed_json(answer, 202)


@bp.get("/commands")
@contract("Commands waiting for this kiosk", auth="kiosk", responses={200: io.CommandListOut})
def commands() -> Response:
    found = kiosk_commands.pending(current_session(), now(), g.kiosk.site_id)
    answer = {"commands": [kiosk_commands.command_view(c) for c in found]}
    return committed_json(answer)


# A string, not <int:...>: otherwise a malformed id would fall through to the kiosk page's GET-only
# route and answer 405 instead of 404.
@bp.post("/commands/<command_id>/ack")
@contract("Report a command done", auth="kiosk", body=io.AckIn, body_optional=True,
          responses={200: io.CommandOut, 409: "problem"})
def acknowledge(command_id: str) -> Response:
    body = json_object(optional=True)
    command = kiosk_commands.acknowledge(current_session(), now(), g.kiosk,
                                           int(command_id) if command_id.isascii() and command_id.isdigit() else 0,
                                           body.get("result"))
    answer = {**kiosk_commands.command_view(command), "result": command.result}
    return committed_json(answer)
