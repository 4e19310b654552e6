"""`locker set-admin-scope` and `locker set-admin-password`: both end the admin's sessions."""

from __future__ import annotations

import getpass
import os

import click
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..admin_sessions.service import end_all
from ..cli import _now, _transaction, locker
from ..extensions import current_session
from ..models import Admin
from ..services import events
from ..services.passwords import check_new_password
from .service import parse_districts, set_scope


def scope_choice(districts: str | None, all_districts: bool) -> list[str] | None:
    """None for --all-districts, else the parsed --districts; exactly one of them must be given."""
    if all_districts == (districts is not None):
        raise click.UsageError("give either --districts Mapo-gu,Seocho-gu or --all-districts")
    return None if all_districts else parse_districts(districts)


def _admin(username: str) -> Admin:
    admin = current_session().scalar(select(Admin).where(Admin.username == username))
    if admin is None:
        raise click.ClickException(f"there is no admin {username}")
    return admin


@locker.command("set-admin-scope")
@click.argument("username")
@click.option("--districts", help="comma-separated districts (replaces the admin's current ones)")
@click.option("--all-districts", is_flag=True, help="every district (a city-wide admin)")
def set_admin_scope(username: str, districts: str | None, all_districts: bool) -> None:
    """Change which districts an admin sees; their open sessions end."""
    names = scope_choice(districts, all_districts)
    with _transaction():
        set_scope(current_session(), _now(), _admin(username), names, "cli")
    click.echo(f"admin {username}: {'all districts' if names is None else ', '.join(names)}; sessions ended")


@locker.command("set-admin-password")
@click.argument("username")
def set_admin_password(username: str) -> None:
    """New password (from LOCKER_ADMIN_PASSWORD or a prompt); every session signed in with the old one ends."""
    password = os.environ.get("LOCKER_ADMIN_PASSWORD") or getpass.getpass("new password: ")
    with _transaction():
        check_new_password(password, username)  # the same rules as create-admin (NIST SP 800-63B)
        admin = _admin(username)
        admin.password_hash = generate_password_hash(password)
        ended = end_all(current_session(), admin.id)
        events.record(current_session(), _now(), "cli", "admin.password_changed", admin=username,
                      sessions_ended=ended)
    click.echo(f"admin {username}: password changed; {ended} session(s) ended")
