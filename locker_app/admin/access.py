"""Who is asking: an admin signed in with the session cookie, or an admin API token; and what they may do."""

from __future__ import annotations

from datetime import datetime

from flask import g, redirect, request, session, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from ..extensions import current_session, db
from ..models import Admin
from ..services.admin_auth import admin_for_token, session_fingerprint
from ..services.errors import Forbidden
from ..web.auth import bearer_token
from ..web.problems import Unauthorized
from ..web.transaction import now
from .security import SAFE_METHODS, check_csrf

SESSION_HOURS = 12
# Reachable without being signed in.
PUBLIC_ENDPOINTS = frozenset({"admin.login", "admin.static"})
# Changes only the caller's own session, so a viewer may do it too.
ANY_ROLE_POSTS = frozenset({"admin.login", "admin.logout"})


class AdminUnauthorized(Unauthorized):
    title = "Sign in, or send an admin API token"


def is_api() -> bool:
    return request.path.startswith("/admin/api/")


def sign_in(admin: Admin, at: datetime) -> None:
    """A fresh session (a new CSRF token too), so that an identifier planted before sign-in is useless."""
    session.clear()
    session.permanent = True
    session["admin_id"] = admin.id
    session["fp"] = session_fingerprint(admin)
    session["at"] = at.timestamp()


def sign_out() -> None:
    session.clear()


def _session_admin() -> Admin | None:
    admin_id = session.get("admin_id")
    if admin_id is None:
        return None
    admin = db.session.get(Admin, admin_id)
    fresh = now().timestamp() - float(session.get("at", 0)) < SESSION_HOURS * 3600
    if admin is None or not fresh or session.get("fp") != session_fingerprint(admin):
        for key in ("admin_id", "fp", "at"):
            session.pop(key, None)
        return None
    return admin


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
