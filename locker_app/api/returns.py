"""Courier endpoints for taking expired parcels back."""

from __future__ import annotations

from flask import Response, current_app, g, jsonify, request

from ..extensions import current_session
from ..openapi import schemas as io
from ..openapi.contract import contract
from ..services import returns
from ..services.parcels import parcel_view
from ..web.parsing import json_object, query_int
from ..web.transaction import committed_json, now
from .idempotent import idempotent, rerun_on_replay
from .routes import bp


@bp.get("/returns")
@contract("Expired parcels waiting for the carrier to take back", auth="courier",
          query=io.ReturnsQuery, responses={200: io.ParcelListOut})
def list_returns() -> Response:
    found = returns.list_returns(
        current_session(),
        g.courier,
        site_code=request.args.get("site"),
        limit=query_int("limit", 50, 1, 200),
        offset=query_int("offset", 0, 0, 1_000_000),
    )
    payload = {"parcels": [parcel_view(p) for p in found]}
    return committed_json(payload)


@bp.post("/parcels/<parcel_id>/return")
@contract("A one-time code that opens an expired parcel's door for the carrier", auth="courier",
          idempotent=True, body=io.EmptyIn, body_optional=True, responses={200: io.ReturnCodeOut, 409: "problem"})
@idempotent
@rerun_on_replay
def issue_return_code(parcel_id: str) -> Response:
    json_object(optional=True)
    parcel, code = returns.issue_return_code(current_session(), now(), g.courier, parcel_id,
                                             current_app.config["CODE_PEPPERS"])
    return jsonify({"return_code": code, "parcel_id": parcel.id, "site": parcel.site.code,
                    "compartment": parcel.compartment.label})
