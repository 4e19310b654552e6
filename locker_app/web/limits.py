"""Rate limits (Flask-Limiter): the courier API per token, admin sign-in per address.

Counters live in memory by default (one web process); set LOCKER_RATELIMIT_STORAGE_URL
(e.g. redis://127.0.0.1:6379/0) so that every worker shares them. A refusal is a 429 problem+json
(too-many-requests) with Retry-After, from the RateLimitExceeded handler below."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RateLimitExceeded

from ..services.tokens import token_digest
from .auth import bearer_token
from .problems import problem


def limit_settings(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "RATELIMIT_STORAGE_URI": env.get("LOCKER_RATELIMIT_STORAGE_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": env.get("LOCKER_RATELIMIT_KEY_PREFIX") or "locker",
        "RATELIMIT_COURIER": env.get("LOCKER_RATELIMIT_COURIER") or "600/minute",
        "RATELIMIT_LOGIN": env.get("LOCKER_RATELIMIT_LOGIN") or "30/minute;300/hour",
        # Off: the admin sign-in throttle's own 429 sets Retry-After, which these headers would overwrite.
        # Our 429s carry Retry-After themselves (below).
        "RATELIMIT_HEADERS_ENABLED": False,
        # A limiter whose store is down must not take the API down with it.
        "RATELIMIT_SWALLOW_ERRORS": True,
    }


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _courier_key() -> str:
    # The digest, never the token itself, goes into the counter store.
    token = bearer_token()
    return f"courier:{token_digest(token)}" if token else f"anonymous:{_client_address()}"


def _too_many_requests(_exc: RateLimitExceeded) -> Response:
    limiter: Limiter = current_app.extensions["locker.limiter"]
    breached = limiter.current_limit
    wait = max(1, math.ceil(breached.reset_at - time.time())) if breached else 60
    return problem(429, "too-many-requests", "Too many requests", f"try again in {wait} seconds",
                   headers={"Retry-After": str(wait)}, retry_after=wait)


def install_limits(app: Flask) -> Limiter:
    """The RATELIMIT_* settings come from load_settings (limit_settings above), as every other setting does."""
    limiter = Limiter(key_func=_client_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      key_prefix=app.config["RATELIMIT_KEY_PREFIX"])
    courier_limit: Any = limiter.limit(lambda: str(app.config["RATELIMIT_COURIER"]), key_func=_courier_key)
    courier_limit(app.blueprints["api"])
    login = "admin.login"
    if login in app.view_functions:
        login_limit: Any = limiter.limit(lambda: str(app.config["RATELIMIT_LOGIN"]), methods=["POST"],
                                         key_func=_client_address)
        # Wrapped here rather than decorated in admin/pages.py, so the admin blueprint stays as it is.
        app.view_functions[login] = login_limit(app.view_functions[login])
    app.extensions["locker.limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    return limiter
