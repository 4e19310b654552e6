"""`locker set-admin-language USER ko|en|browser`: the admin pages' language for one admin."""

from __future__ import annotations

import click
from sqlalchemy import select

from ..cli import _transaction, locker
from ..extensions import current_session
from ..models import Admin
from . import LANGUAGES


@locker.command("set-admin-language")
@click.argument("username")
@click.argument("language", type=click.Choice([*LANGUAGES, "browser"]))
def set_admin_language(username: str, language: str) -> None:
    """The admin pages' language for one admin (ko, en), or `browser` to follow the browser."""
    with _transaction():
        admin = current_session().scalar(select(Admin).where(Admin.username == username))
        if admin is None:
            raise click.ClickException(f"no admin {username}")
        admin.language = None if language == "browser" else language
    click.echo(f"admin {username}: {language}")
