"""`flask --app wsgi locker code-peppers`: which peppers active codes still need, before retiring one."""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import func, select

from .cli import locker
from .extensions import current_session, db
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
    configured = [key_id for key_id, _ in peppers.known]
    for key_id in configured:
        role = "current" if key_id == peppers.current_id else "old"
        active = counts.get(key_id, 0)
        advice = "; can be retired" if role == "old" and not active else ""
        click.echo(f"{key_id}: {role}, {active} active codes{advice}")
    lost = {key_id: n for key_id, n in counts.items() if key_id not in configured}
    for key_id, active in sorted(lost.items()):
        click.echo(f"{key_id}: NOT CONFIGURED, {active} active codes that cannot open a door", err=True)
    if lost:
        raise click.ClickException("add the missing peppers to LOCKER_CODE_PEPPERS_OLD")
