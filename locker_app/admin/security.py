"""The admin session cookie, CSRF tokens and the headers every admin response carries."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, generate_csrf

from ..extensions import csrf
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
        # Flask-WTF checks only where the admin guard asks it to (cookie-authenticated admin changes): the
        # courier, kiosk and webhook APIs and the admin API's bearer-token calls are not browser forms.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_FIELD_NAME=CSRF_FIELD,
        WTF_CSRF_HEADERS=[CSRF_HEADER, "X-CSRFToken"],
        # A form stays good as long as the session that rendered it (access.SESSION_HOURS).
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        # Its Referer check on https is replaced by the Origin check below: same protection, and scripts
        # using a session (rare) need not fake a Referer.
        WTF_CSRF_SSL_STRICT=False,
    )


def csrf_token() -> str:
    return str(generate_csrf())


def check_csrf() -> None:
    """A state-changing request made with the session cookie must carry the session's token (a form
    field or a header; Flask-WTF's signed, session-bound token), and must not come from another origin."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise CsrfFailed("the request came from another site")
    try:
        csrf.protect()
    except CSRFError as exc:
        raise CsrfFailed("the form has expired or was not sent from this service; reload the page and try again") \
            from exc


def add_security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "admin.static":
        # Pages and exports hold personal data: no copies in shared caches or the browser's cache.
        response.headers["Cache-Control"] = "no-store"
    return response
