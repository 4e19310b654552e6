"""`/sites/` and `/api/v1/public/sites`: parse the query, ask the listing, shape the answer. No token."""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import get_locale

from ..extensions import current_session
from ..openapi.contract import contract
from ..services.errors import InvalidInput
from ..web.transaction import commit
from .listing import SORTS, Point, public_sites
from .schemas import PublicSitesOut, PublicSitesQuery

bp = Blueprint("directory", __name__, template_folder="templates", static_folder="static",
               static_url_path="/sites/static")

# The page loads only its own files; map tiles (images) may come from the configured tile server.
_PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: {tiles}; "
             "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _coordinate(name: str, bound: float, *, form: bool) -> float | None:
    raw = request.args.get(name)
    # The page's search form sends its hidden lat/lon empty when no point was chosen; the JSON API takes a
    # number or nothing, as its OpenAPI document says (float() would also take "1_0", " 1" and "nan").
    if raw is None or (form and raw == ""):
        return None
    if not _NUMBER.fullmatch(raw):
        raise InvalidInput(f"{name} must be a number such as 37.5663")
    value = float(raw)
    if not -bound <= value <= bound:  # also refuses nan and inf
        raise InvalidInput(f"{name} must be between -{bound:g} and {bound:g}")
    return value


def _query(*, form: bool = False) -> tuple[str, Point | None, str]:
    lat, lon = _coordinate("lat", 90, form=form), _coordinate("lon", 180, form=form)
    if (lat is None) != (lon is None):
        raise InvalidInput("give lat and lon together")
    sort = request.args.get("sort", "distance")
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}")
    words = request.args.get("q", "")
    if len(words) > 100:
        raise InvalidInput("q must be at most 100 characters")
    return words, (Point(lat, lon) if lat is not None and lon is not None else None), sort


@bp.get("/api/v1/public/sites")
@contract("Public locker directory", auth=None, query=PublicSitesQuery, responses={200: PublicSitesOut},
          description="Every site's public address and a coarse availability; nothing about any parcel or person.")
def sites_json() -> Response:
    words, near, sort = _query()
    entries = public_sites(current_session(), query=words, near=near, sort=sort)
    commit()
    response = jsonify({"sites": entries})
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/sites/")
def sites_page() -> Response:
    words, near, sort = _query(form=True)
    entries = public_sites(current_session(), query=words, near=near, sort=sort)
    commit()
    tiles = current_app.config.get("MAP_TILES_URL") or ""
    html = render_template("directory/sites.html", sites=entries, q=words, near=near, sort=sort,
                           tiles=tiles, attribution=current_app.config.get("MAP_ATTRIBUTION", ""),
                           lang=str(get_locale() or "ko"))
    response = Response(html, mimetype="text/html")
    tile_origin = "/".join(tiles.split("/")[:3]) if tiles.startswith("https://") else ""
    response.headers["Content-Security-Policy"] = _PAGE_CSP.format(tiles=tile_origin).replace("  ", " ")
    return response
