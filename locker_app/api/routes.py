"""Courier endpoints: parse, authorise, call a service, shape the answer."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request

from ..extensions import current_session
from ..openapi import schemas as io
from ..openapi.contract import contract
from ..services import parcels, resend
from ..sms.kick import kick_relay
from ..web.answers import json_answer
from ..web.auth import current_courier
from ..web.parsing import json_object, query_int
from ..web.problems import problem
from ..web.transaction import after_commit, committed_json, now
from .idempotent import idempotent

bp = Blueprint("api", __name__, url_prefix="/api/v1")

_PARCEL_LINKS = {201: {name: {"operationId": op, "parameters": {"parcel_id": "$response.body#/parcel_id"}}
                  for name, op in (("GetParcel", "api_get_parcel"), ("Deposit", "api_deposit"),
                                   ("Cancel", "api_cancel"), ("Resend", "api_resend_code"),
                                   ("Return", "api_issue_return_code"))}}


@bp.before_request
def _authenticate() -> None:
    g.courier = current_courier()


@bp.post("/sites/<site_code>/reservations")
@contract("Reserve a compartment for a parcel", auth="courier", idempotent=True, body=io.ReservationIn,
          responses={201: io.ParcelOut, 409: "problem"}, links=_PARCEL_LINKS)
@idempotent
def reserve(site_code: str) -> Response:
    body = json_object()
    view = parcels.reserve(
        current_session(),
        now(),
        g.courier,
        site_code,
        tracking_number=body.get("tracking_number"),
        recipient_phone=body.get("recipient_phone"),
        size=body.get("size"),
        accessible=body.get("accessible", False),
    )
    return json_answer(view, 201)


@bp.post("/parcels/<parcel_id>/deposit")
@contract("Deposit the reserved parcel; the recipient gets the code by SMS", auth="courier", idempotent=True,
          body=io.EmptyIn, body_optional=True, responses={200: io.ParcelOut, 409: "problem"})
@idempotent
def deposit(parcel_id: str) -> Response:
    json_object(optional=True)
    view = parcels.deposit(current_session(), now(), g.courier, parcel_id, current_app.config["CODE_PEPPERS"])
    after_commit(kick_relay)
    return json_answer(view)


@bp.post("/parcels/<parcel_id>/cancel")
@contract("Cancel a reservation", auth="courier", idempotent=True, body=io.EmptyIn, body_optional=True,
          responses={200: io.ParcelOut, 409: "problem"})
@idempotent
def cancel(parcel_id: str) -> Response:
    json_object(optional=True)
    parcel = parcels.cancel(current_session(), now(), g.courier, parcel_id)
    return json_answer(parcels.parcel_view(parcel))


@bp.post("/parcels/<parcel_id>/resend")
@contract("Send the recipient a fresh code (the old one stops working)", auth="courier", idempotent=True,
          body=io.EmptyIn, body_optional=True, responses={200: io.ResentOut, 409: "problem"})
@idempotent
def resend_code(parcel_id: str) -> Response:
    json_object(optional=True)
    session = current_session()
    parcel = parcels.get_for_carrier(session, g.courier, parcel_id, lock=True)
    message = resend.resend_code(session, now(), parcel, current_app.config["CODE_PEPPERS"], f"courier:{g.courier.id}",
                                 courier_id=g.courier.id)
    if message is None:  # refused by a cost cap; the refusal event is committed with the answer
        error = resend.SmsCapReached
        return problem(error.status, error.slug, error.title, "the old code still works")
    after_commit(kick_relay)
    view = parcels.parcel_view(parcel)
    view["resends_left"] = resend.MAX_RESENDS - resend.resends_so_far(session, parcel.id)
    return json_answer(view)


@bp.get("/parcels/<parcel_id>")
@contract("One of the carrier's parcels", auth="courier", responses={200: io.ParcelOut})
def get_parcel(parcel_id: str) -> Response:
    view = parcels.parcel_view(parcels.get_for_carrier(current_session(), g.courier, parcel_id))
    return committed_json(view)


@bp.get("/parcels")
@contract("The carrier's parcels, newest first", auth="courier", query=io.ParcelQuery,
          responses={200: io.ParcelListOut})
def list_parcels() -> Response:
    found = parcels.list_for_carrier(
        current_session(),
        g.courier,
        state=request.args.get("state"),
        site_code=request.args.get("site"),
        tracking_number=request.args.get("tracking_number"),
        limit=query_int("limit", 50, 1, 200),
        offset=query_int("offset", 0, 0, 1_000_000),
    )
    payload = {"parcels": [parcels.parcel_view(p) for p in found]}
    return committed_json(payload)
