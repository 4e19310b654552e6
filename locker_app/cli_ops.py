"""`flask --app wsgi locker code-peppers`: which peppers active codes still need, before retiring one."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from .cli import locker
from .extensions import current_session, db
from .key_rotation_report import KeyWords, echo_key_usage
from .models import AccessCode
from .services.codes import Peppers


@locker.command("code-peppers")
def code_peppers() -> None:
    """Active codes by pepper id; an old pepper with none left can be dropped from LOCKER_CODE_PEPPERS_OLD."""
    peppers: Peppers = current_app.config["CODE_PEPPERS"]
    counts = dict(current_session().execute(
        select(AccessCode.pepper_id, func.count()).where(AccessCode.active.is_(True)).group_by(AccessCode.pepper_id)
    ).all())
    db.session.rollback()
    echo_key_usage((key_id for key_id, _ in peppers.known), peppers.current_id, counts, KeyWords(
        rows="active codes", lost_rows="active codes that cannot open a door",
        old_setting="LOCKER_CODE_PEPPERS_OLD", missing="peppers"))
