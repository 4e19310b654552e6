"""Admin pages (`/admin/...`) and their JSON twin (`/admin/api/...`) for district and building operators.

Sign-in with a password (session cookie: HttpOnly, SameSite=Lax, Secure as `security.cookie_secure`
decides) or an admin API token (JSON only). Viewers read; operators change. Every change, sign-in and
export is an event.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from .security import configure_session

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    ZoneInfo(state.app.config.setdefault("ADMIN_TIMEZONE", "Asia/Seoul"))  # fail at start, not on a page
    configure_session(state.app)  # type: ignore[arg-type]


from ..admin_sessions import views as _session_views  # noqa: E402,F401
from ..four_eyes import views as _four_eyes_views  # noqa: E402,F401
from ..scope import views as _scope_views  # noqa: E402,F401
from . import api, operations, pages, views_common  # noqa: E402,F401  (routes register themselves on bp)
