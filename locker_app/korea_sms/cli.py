"""`flask --app wsgi locker set-site-sender CODE twilio|solapi|console|default`: switch a site between senders."""

from __future__ import annotations

import click
from sqlalchemy import select

from ..cli import _now, _transaction, locker
from ..extensions import current_session
from ..models import Site
from ..services import events
from .routing import SENDER_NAMES


@locker.command("set-site-sender")
@click.argument("code")
@click.argument("sender", type=click.Choice([*SENDER_NAMES, "default"]))
def set_site_sender(code: str, sender: str) -> None:
    """Send this site's SMS through SENDER from the next message on; `default` goes back to its country's."""
    with _transaction():
        session = current_session()
        site = session.scalar(select(Site).where(Site.code == code))
        if site is None:
            raise click.ClickException(f"no site {code}")
        site.sms_sender = None if sender == "default" else sender
        events.record(session, _now(), "cli", "site.sms_sender", site_id=site.id, sms_sender=site.sms_sender)
    click.echo(f"site {code}: SMS through {sender}")
