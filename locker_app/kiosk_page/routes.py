"""The touchscreen app's files, with a Content-Security-Policy that allows only our own scripts."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import NotFound
from werkzeug.routing import PathConverter

from ..paths import KIOSK
from . import redact

KIOSK_DIR = KIOSK
_SERVED = {".html", ".js", ".css", ".svg", ".png", ".woff2"}

# No inline script or style, nothing from elsewhere, no framing; the token must never travel in a Referer.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

bp = Blueprint("kiosk_page", __name__)


class AssetPath(PathConverter):
    """A file of the app, never the API under v1/: a GET to a POST-only API route must be a 405, not a
    missing file."""

    regex = r"(?!v1/)[^/].*?"


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    redact.install()  # keep tokens out of the access logs
    state.app.url_map.converters["kiosk_asset"] = AssetPath  # before the routes below are added


def _directory() -> Path:
    return Path(current_app.config.get("KIOSK_DIR") or KIOSK_DIR)


def _serve(filename: str) -> Response:
    if Path(filename).suffix not in _SERVED:
        raise NotFound()
    response = send_from_directory(_directory(), filename, max_age=0)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/kiosk/")
def index() -> Response:
    return _serve("index.html")


@bp.get("/kiosk/<kiosk_asset:filename>")
def asset(filename: str) -> Response:
    return _serve(filename)
