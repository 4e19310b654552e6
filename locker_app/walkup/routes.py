"""Walk-up endpoints under /kiosk/v1 (kiosk token): courier sessions and deposits, lost codes, problem reports.

Parse, authorise, call a service, shape the answer; one transaction per request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from ..api.idempotent import idempotent
from ..extensions import current_session
from ..openapi.contract import contract
from ..sms.kick import kick_relay
from ..web.answers import json_answer
from ..web.auth import current_kiosk
from ..web.parsing import json_object
from ..web.transaction import after_commit, commit, committed_json, now
from . import credentials, deposits, lost_code, reports, sessions
from . import schemas as io

bp = Blueprint("walkup", __name__, url_prefix="/kiosk/v1")
SESSION_HEADER = "X-Courier-Session"


@bp.before_request
def _authenticate() -> None:
    g.kiosk = current_kiosk()
    g.kiosk.last_seen_at = now()


def _in_session(view: dict[str, Any], status: int = 200) -> Response:
    """A deposit step's answer, with when the courier's session now ends (each step extends it)."""
    return json_answer({**view, "session_expires_at": sessions.expires_at(g.courier_session)}, status)


def _deposit_step(summary: str, description: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The contract both ends of a reserved deposit share: stored and cancel take no body and answer the parcel."""
    return contract(summary, auth="kiosk", idempotent=True, body=io.EmptyIn, body_optional=True,
                    responses={200: io.WalkupParcelOut, 403: "problem", 409: "problem"},
                    description=f"Needs X-Courier-Session. {description}")


def courier_session(view: Callable[..., Response]) -> Callable[..., Response]:
    """Resolve X-Courier-Session before anything else (the Idempotency-Key is kept per courier)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        g.courier_session = sessions.resolve(current_session(), now(), g.kiosk, request.headers.get(SESSION_HEADER))
        g.courier = g.courier_session.courier
        return view(*args, **kwargs)

    return wrapper


@bp.post("/courier/session")
@contract("A courier signs in at the touchscreen with his phone number and kiosk PIN", auth="kiosk",
          body=io.SignInIn, responses={201: io.SessionOut, 403: "problem", 429: "problem"},
          description="An unknown number and a wrong PIN get the same 403 courier-rejected. 5 wrong PINs for a "
                      "number lock it on every kiosk for 15 minutes (doubling each time; 20 in a day until the PIN "
                      "is reset): 429 courier-locked with Retry-After. Too many refusals at one kiosk: 429 "
                      "kiosk-sign-in-paused.")
def sign_in() -> Response:
    body = json_object()
    session, at = current_session(), now()
    try:
        courier = credentials.check_sign_in(session, at, g.kiosk, body.get("phone"), body.get("pin"))
    except credentials.Refused as refused:
        commit()  # the wrong PIN stays counted
        raise refused.error from None
    answer = sessions.open_session(session, at, g.kiosk, courier)
    return committed_json(answer, 201)


@bp.delete("/courier/session")
@contract("The courier finishes: his session ends", auth="kiosk", responses={200: io.SignedOutOut, 403: "problem"})
@courier_session
def sign_out() -> Response:
    sessions.end(current_session(), now(), g.courier_session, f"kiosk:{g.kiosk.id}")
    return committed_json({"ended": True})


@bp.post("/courier/deposits")
@contract("Reserve an empty compartment for the parcel in the courier's hands; its door opens", auth="kiosk",
          idempotent=True, body=io.DepositIn, responses={201: io.WalkupParcelOut, 403: "problem", 409: "problem"},
          description="Needs X-Courier-Session. 409 locker-full carries `alternatives`, nearby sites with room.")
@courier_session
@idempotent
def deposit() -> Response:
    body = json_object()
    view = deposits.reserve(current_session(), now(), g.kiosk, g.courier, body)
    return _in_session(view, 201)


@bp.post("/courier/deposits/<parcel_id>/stored")
@_deposit_step("The door closed with the parcel inside: stored, and the recipient's SMS goes out",
               "Confirmed twice (with another key): 409 already-stored, no second SMS.")
@courier_session
@idempotent
def stored(parcel_id: str) -> Response:
    json_object(optional=True)
    view = deposits.store(current_session(), now(), g.kiosk, g.courier, parcel_id, current_app.config["CODE_PEPPERS"])
    after_commit(kick_relay)
    return _in_session(view)


@bp.post("/courier/deposits/<parcel_id>/cancel")
@_deposit_step("The parcel did not go in: the reservation ends and the compartment is free again",
               "After the door closed on the parcel: 409 already-stored.")
@courier_session
@idempotent
def cancel(parcel_id: str) -> Response:
    json_object(optional=True)
    view = deposits.cancel(current_session(), now(), g.kiosk, g.courier, parcel_id)
    return _in_session(view)


@bp.post("/codes/resend")
@contract("A resident lost her code: if a parcel waits here for the number, a fresh code goes to it by SMS",
          auth="kiosk", body=io.ResendIn, responses={202: io.AcceptedOut},
          description="The same 202 body whatever the number; at most 3 requests a day per number.")
def resend_code() -> Response:
    body = json_object()
    queued = lost_code.request_code(current_session(), now(), g.kiosk.site, body.get("phone"),
                                    current_app.config["CODE_PEPPERS"], f"kiosk:{g.kiosk.id}")
    if queued:
        after_commit(kick_relay)
    return committed_json(lost_code.ACCEPTED, 202)


@bp.post("/reports")
@contract("A resident reports a problem (parcel missing, damaged, door stuck): an alert for the admins",
          auth="kiosk", body=io.ReportIn, responses={202: io.AcceptedOut})
def report() -> Response:
    body = json_object()
    reports.report(current_session(), now(), g.kiosk.site, body.get("kind"), body.get("compartment"),
                   f"kiosk:{g.kiosk.id}")
    return committed_json({"status": "accepted", "detail": "thank you: the operator has been told"}, 202)
