"""Who is asking: an admin signed in with the session cookie, or an admin API token; and what they may do."""

from __future__ import annotations

from datetime import datetime

from flask import g, redirect, request, session, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from ..admin_sessions import service as admin_sessions
from ..admin_sessions.service import SESSION_HOURS
from ..extensions import current_session
from ..models import Admin
from ..scope import orm as scope_orm
from ..scope.service import Scope, resolve
from ..services.admin_auth import admin_for_token, session_fingerprint
from ..services.errors import Forbidden
from ..web.auth import bearer_token
from ..web.problems import Unauthorized
from ..web.transaction import now
from .security import SAFE_METHODS, check_csrf

__all__ = ["SESSION_HOURS", "can_change", "current_scope", "guard", "is_api", "sign_in", "sign_out"]
# Reachable without being signed in.
PUBLIC_ENDPOINTS = frozenset({"admin.login", "admin.static"})
# Changes only the caller's own session, so a viewer may do it too.
ANY_ROLE_POSTS = frozenset({"admin.login", "admin.logout", "admin.end_my_sessions", "admin.api_end_my_sessions"})


class AdminUnauthorized(Unauthorized):
    title = "Sign in, or send an admin API token"


def is_api() -> bool:
    return request.path.startswith("/admin/api/")


def sign_in(admin: Admin, at: datetime) -> None:
    """A fresh session (a new CSRF token too), so that an identifier planted before sign-in is useless.
    The cookie holds only the id of a row in admin_sessions; the caller commits it."""
    session.clear()
    session.permanent = True
    session["sid"] = admin_sessions.start(current_session(), at, admin, request.remote_addr)
    session["fp"] = session_fingerprint(admin)


def sign_out() -> None:
    """Ends the session on the server too: a copy of the cookie is refused from now on."""
    admin_sessions.end(current_session(), session.get("sid"))
    session.clear()


def _session_admin() -> Admin | None:
    if session.get("sid") is None:
        return None
    admin = admin_sessions.admin_for(current_session(), now(), session.get("sid"))
    # The fingerprint also ends sessions signed in with a password changed behind our back (in the database).
    if admin is None or session.get("fp") != session_fingerprint(admin):
        for key in ("sid", "fp"):
            session.pop(key, None)
        return None
    return admin


def current_scope() -> Scope:
    """The signed-in admin's scope (already applied to every query of this request; see locker_app/scope)."""
    scope = g.get("scope")
    if scope is None:
        raise AdminUnauthorized("sign in first")
    return scope


def guard() -> WerkzeugResponse | None:
    """Runs before every admin view: authenticate, check CSRF, enforce roles."""
    if request.endpoint == "admin.static":  # the style sheet and icon: no database, no session
        return None
    token = bearer_token() if is_api() else None
    g.via_token = token is not None
    if token is not None:
        admin = admin_for_token(current_session(), token)
        if admin is None:
            raise AdminUnauthorized("the admin API token is not valid")
    else:
        admin = _session_admin()
    g.admin = admin
    if admin is not None:
        # Resolved once; from here on every ORM query of this request sees only the scope's sites.
        g.scope = resolve(current_session(), admin)
        scope_orm.activate(current_session(), g.scope)
    public = request.endpoint in PUBLIC_ENDPOINTS
    # Who is asking comes first: a caller with no credentials is told to sign in (401), not about CSRF.
    if admin is None and not public:
        if is_api():
            raise AdminUnauthorized("sign in at /admin/login or send 'Authorization: Bearer <admin token>'")
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    unsafe = request.method not in SAFE_METHODS
    # A bearer token is never sent by a browser on its own, so it needs no CSRF token.
    if unsafe and not g.via_token:
        check_csrf()
    if public or admin is None:
        return None
    if unsafe and request.endpoint not in ANY_ROLE_POSTS and admin.role != "operator":
        raise Forbidden("viewers can look but not change anything; ask an operator")
    return None


def can_change() -> bool:
    admin = g.get("admin")
    return admin is not None and admin.role == "operator"
