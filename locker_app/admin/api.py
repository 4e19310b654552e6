"""`/admin/api/...`: the JSON (and CSV) behind every admin page, for operators' scripts."""

from __future__ import annotations

from typing import Any

from flask import Response, g

from ..extensions import current_session
from ..offline import schemas as offline_io
from ..offline import service as offline_service
from ..openapi import schemas as io
from ..openapi.contract import contract
from ..services import admin_auth, admin_search, compartments, events, occupancy
from ..services.parcels import find_site
from ..web.parsing import json_object, query_int
from ..web.transaction import commit, committed_json, now
from . import bp
from .csv_export import EXPORT_MAX_ROWS, csv_response
from .filters import event_filter, message_filter, page, text
from .shaping import EVENT_COLUMNS, MESSAGE_COLUMNS, as_json, csv_row


@bp.get("/api/me")
@contract("Who the token or session belongs to", auth="admin", responses={200: io.MeOut})
def api_me() -> Response:
    admin = g.admin
    payload = {"username": admin.username, "role": admin.role, "via": "token" if g.via_token else "session"}
    return committed_json(payload)


@bp.get("/api/occupancy")
@contract("Occupancy by site and size", auth="admin", responses={200: io.AnyObject})
def api_occupancy() -> Response:
    payload = occupancy.occupancy(current_session(), now(), district=text("district"), site_code=text("site"))
    return committed_json(payload)


@bp.get("/api/kiosks")
@contract("Each kiosk: online or offline, its agent's last sync and offline queue", auth="admin",
          responses={200: offline_io.KioskListOut})
def api_kiosks() -> Response:
    session = current_session()
    visible = [site.id for site in occupancy.choose_sites(session, district=text("district"), site_code=text("site"))]
    payload = {"kiosks": [{k: v for k, v in row.items() if k != "site_id"}
                          for row in offline_service.kiosk_rows(session, now(), visible)]}
    return committed_json(payload)


@bp.get("/api/occupancy/history")
@contract("Hourly occupancy snapshots", auth="admin", query=io.HistoryQuery,
          responses={200: io.AnyObject})
def api_occupancy_history() -> Response:
    payload = occupancy.history(current_session(), now(), hours=query_int("hours", 48, 1, 24 * 90),
                                district=text("district"), site_code=text("site"))
    return committed_json(payload)


@bp.get("/api/sites/<site_code>/compartments")
@contract("A site's compartments", auth="admin", responses={200: io.AnyObject})
def api_compartments(site_code: str) -> Response:
    session = current_session()
    site = find_site(session, site_code)
    payload = {"site": site.code, "compartments": compartments.compartment_rows(session, site)}
    return committed_json(payload)


def _compartment_after(site_code: str, label: str) -> dict[str, Any]:
    session = current_session()
    site = find_site(session, site_code)
    return next(row for row in compartments.compartment_rows(session, site) if row["label"] == label.upper())


@bp.post("/api/sites/<site_code>/compartments/<label>/disable")
@contract("Take a compartment out of service (operators)", auth="admin", body=io.ReasonRequiredIn,
          responses={200: io.AnyObject, 403: "problem", 409: "problem"})
def api_disable(site_code: str, label: str) -> Response:
    body = json_object()
    compartments.disable(current_session(), now(), admin_auth.actor(g.admin), site_code, label, body.get("reason"))
    payload = _compartment_after(site_code, label)
    return committed_json(payload)


@bp.post("/api/sites/<site_code>/compartments/<label>/enable")
@contract("Put a compartment back in service (operators)", auth="admin", body=io.ReasonIn, body_optional=True,
          responses={200: io.AnyObject, 403: "problem", 409: "problem"})
def api_enable(site_code: str, label: str) -> Response:
    body = json_object(optional=True)
    compartments.enable(current_session(), now(), admin_auth.actor(g.admin), site_code, label, body.get("reason"))
    payload = _compartment_after(site_code, label)
    return committed_json(payload)


@bp.get("/api/parcels")
@contract("Search parcels", auth="admin", query=io.AdminParcelQuery, responses={200: io.AnyObject})
def api_parcels() -> Response:
    found = admin_search.search_parcels(current_session(), tracking_number=text("tracking_number"),
                                        state=text("state", 16, exact=True), site_code=text("site"), page=page())
    payload = {"parcels": [admin_search.admin_parcel_view(p) for p in found]}
    return committed_json(payload)


@bp.get("/api/parcels/<parcel_id>")
@contract("A parcel with its events and messages", auth="admin", responses={200: io.AnyObject})
def api_parcel(parcel_id: str) -> Response:
    session = current_session()
    parcel = admin_search.admin_parcel_view(admin_search.get_parcel(session, parcel_id))
    history = admin_search.search_events(session, admin_search.EventFilter(parcel_id=parcel_id))
    messages = admin_search.search_messages(session, admin_search.MessageFilter(parcel_id=parcel_id))
    payload = {**parcel, "events": [as_json(r) for r in history], "messages": [as_json(r) for r in messages]}
    return committed_json(payload)


@bp.get("/api/events")
@contract("Search the audit trail", auth="admin", query=io.EventQuery, responses={200: io.AnyObject})
def api_events() -> Response:
    rows = admin_search.search_events(current_session(), event_filter(), page(100))
    payload = {"events": [as_json(r) for r in rows]}
    return committed_json(payload)


@bp.get("/api/messages")
@contract("Search SMS messages", auth="admin", query=io.MessageQuery, responses={200: io.AnyObject})
def api_messages() -> Response:
    rows = admin_search.search_messages(current_session(), message_filter(), page(100))
    payload = {"messages": [as_json(r) for r in rows]}
    return committed_json(payload)


def _export(kind: str, rows: list[dict[str, Any]], columns: tuple[str, ...], filters: dict[str, Any]) -> Response:
    truncated = len(rows) > EXPORT_MAX_ROWS
    rows = rows[:EXPORT_MAX_ROWS]
    # Exports carry personal data out of the service, so each one is on the record.
    events.record(current_session(), now(), admin_auth.actor(g.admin), "admin.exported", what=kind,
                  rows=len(rows), filters={k: v for k, v in filters.items() if v is not None})
    commit()
    stamp = now().strftime("%Y%m%d-%H%M")
    return csv_response(f"{kind}-{stamp}.csv", columns, (csv_row(r, columns) for r in rows), truncated)


def _filters(where: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in vars(where).items()}


@bp.get("/api/events.csv")
@contract("Export the audit trail as CSV", auth="admin", query=io.EventFilterQuery, responses={200: "csv"})
def api_events_csv() -> Response:
    where = event_filter()
    rows = admin_search.search_events(current_session(), where, admin_search.Page(EXPORT_MAX_ROWS + 1))
    return _export("events", rows, EVENT_COLUMNS, _filters(where))


@bp.get("/api/messages.csv")
@contract("Export SMS messages as CSV", auth="admin", query=io.MessageFilterQuery, responses={200: "csv"})
def api_messages_csv() -> Response:
    where = message_filter()
    rows = admin_search.search_messages(current_session(), where, admin_search.Page(EXPORT_MAX_ROWS + 1))
    return _export("messages", rows, MESSAGE_COLUMNS, _filters(where))
