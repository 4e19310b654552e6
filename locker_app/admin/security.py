"""The admin session cookie, CSRF tokens and the headers every admin response carries."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Request, Response, request, session
from flask.sessions import SecureCookieSessionInterface

from ..services.errors import ServiceError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# No scripts at all; styles only from our own file; forms only back to us; never framed.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class CsrfFailed(ServiceError):
    status = 403
    slug = "csrf-failed"
    title = "The form was not sent from an admin page of this service"


def _loopback(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def cookie_secure(config: Mapping[str, Any], req: Request) -> bool:
    """`LOCKER_COOKIE_SECURE` decides when set. Unset (or `auto`), the cookie is Secure except when a
    development server is reached over plain http at a loopback address (`make run` on 127.0.0.1);
    with `LOCKER_PRODUCTION` it is always Secure, so a proxy that hides the public host name cannot
    turn it off."""
    explicit = config.get("COOKIE_SECURE")
    if explicit is not None:
        return bool(explicit)
    if config.get("PRODUCTION") or req.is_secure:
        return True
    return not _loopback(req.host)


class AdminSessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_secure(app.config, request)


def configure_session(app: Flask) -> None:
    app.session_interface = AdminSessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="locker_admin",
        # Only the admin pages use a session; nothing else needs the cookie sent to it.
        SESSION_COOKIE_PATH="/admin",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def check_csrf() -> None:
    """A state-changing request made with the session cookie must carry the session's token (a form
    field or a header), and must not come from another origin."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise CsrfFailed("the request came from another site")
    expected = session.get("csrf")
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not expected or not hmac.compare_digest(str(expected).encode(), sent.encode()):
        raise CsrfFailed("the form has expired or was not sent from this service; reload the page and try again")


def add_security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "admin.static":
        # Pages and exports hold personal data: no copies in shared caches or the browser's cache.
        response.headers["Cache-Control"] = "no-store"
    return response
