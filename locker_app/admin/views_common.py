"""What every admin view shares: the guard, headers, error pages and template helpers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, g, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from ..extensions import db
from ..four_eyes.texts import CATEGORIES
from ..scope.orm import deactivate
from ..services.errors import ServiceError
from ..web.problems import problem
from ..web.transaction import now
from . import bp
from .access import can_change, guard, is_api
from .filters import admin_zone
from .labels import label, title_of
from .security import add_security_headers, cookie_secure, csrf_token
from .shaping import ago, local

# A kiosk polls every few seconds; silence this long means it is off or offline.
KIOSK_STALE = timedelta(minutes=10)


@bp.before_request
def _guard() -> WerkzeugResponse | None:
    return guard()


@bp.teardown_request
def _end_scope(_exc: BaseException | None) -> None:
    deactivate(db.session())


@bp.after_request
def _headers(response: WerkzeugResponse) -> WerkzeugResponse:
    return add_security_headers(response)  # type: ignore[arg-type]


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError) -> Any:
    headers = dict(exc.extra.pop("headers", {}))
    if is_api():
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return problem(exc.status, exc.slug, exc.title, exc.detail, headers=headers, **exc.extra)
    return render_template("admin/error.html", error=exc), exc.status, headers


@bp.context_processor
def _helpers() -> dict[str, Any]:
    zone = admin_zone()
    return {
        "csrf_token": csrf_token,
        "admin": g.get("admin"),
        "scope": g.get("scope"),
        "open_categories": list(CATEGORIES),
        "can_change": can_change(),
        "local": lambda at, fmt="%Y-%m-%d %H:%M": local(at, zone, fmt),
        "ago": lambda at: ago(at, now()),
        "stale": lambda at: at is None or now() - datetime.fromisoformat(at) > KIOSK_STALE,
        "zone_name": current_app.config["ADMIN_TIMEZONE"],
        "insecure_cookie_warning": cookie_secure(current_app.config, request) and not request.is_secure,
        "page_url": lambda offset: url_for(request.endpoint or "admin.dashboard",
                                           **{**(request.view_args or {}), **request.args.to_dict(), "offset": offset}),
        "to_json": lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True),
        "label": label,
        "title_of": title_of,
    }
