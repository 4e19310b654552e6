"""`/kiosk/v1/verifiers` and `/kiosk/v1/offline/replay`: the locker agent's offline sync (kiosk token)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request

from ..extensions import current_session
from ..openapi.contract import contract
from ..web.auth import current_kiosk
from ..web.parsing import json_object, query_int
from ..web.transaction import commit, committed_json, now
from . import schemas as io
from . import service
from .scheme import params_from

bp = Blueprint("offline_api", __name__, url_prefix="/kiosk/v1")


@bp.before_request
def _authenticate() -> None:
    g.kiosk = current_kiosk()
    g.kiosk.last_seen_at = now()


def _queue_length() -> int | None:
    return query_int("queue_length", 0, 0, 10_000_000) if "queue_length" in request.args else None


@bp.get("/verifiers")
@contract("The site's offline verifiers, incrementally", auth="kiosk", query=io.VerifiersQuery,
          responses={200: io.VerifiersOut, 400: "problem"},
          description="Verifiers made since the cursor (with a few minutes' overlap) and the ids of all that "
                      "are still active; never a code or the pepper. The agent's sync, every minute.")
def verifiers() -> Response:
    since = service.parse_cursor(request.args.get("since"))
    answer = service.verifiers_for(current_session(), now(), g.kiosk, since, _queue_length(),
                                   params_from(current_app.config))
    commit()
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/offline/replay")
@contract("Replay what the agent did offline", auth="kiosk", body=io.ReplayIn,
          responses={200: io.ReplayOut, 400: "problem"},
          description="Each item by its idempotency key: a pickup settled once (parcel taken, code spent, "
                      "event marked offline); a parcel already taken is an alert event. The same items again "
                      "answer the same and change nothing.")
def replay() -> Response:
    body = json_object()
    items = service.parse_items(body)
    queue_length, failures = service.parse_count(body, "queue_length"), service.parse_count(body, "failures")
    answer = service.replay(current_session(), now(), g.kiosk, items, queue_length, failures or 0)
    return committed_json(answer)
