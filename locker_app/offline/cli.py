"""`flask --app wsgi locker offline-pickup SITE [--on|--off]`: an operator's switch for offline pickup."""

from __future__ import annotations

import click
from flask import current_app

from ..cli import locker
from ..extensions import current_session, db
from ..services import events
from ..services.parcels import find_site
from . import sites


@locker.command("offline-pickup")
@click.argument("site_code")
@click.option("--on/--off", "enabled", default=None, help="turn offline pickup on or off for the site")
def offline_pickup(site_code: str, enabled: bool | None) -> None:
    """Show or set whether the site's kiosk may hand out parcels while the service is unreachable.

    Off: the service serves the site no verifiers, drops those it had and changes the site's salt; the
    agent drops its copy at its next sync (within a minute) and answers offline pickups as offline.
    """
    session = current_session()
    now = current_app.extensions["locker.clock"]()
    site = find_site(session, site_code)
    if enabled is None:
        row = sites.setting(session, now, site.id)
    else:
        row = sites.set_enabled(session, now, site.id, enabled)
        events.record(session, now, "cli", "site.offline_pickup", site_id=site.id, enabled=enabled)
    state = "on" if row.enabled else "off"
    db.session.commit()
    click.echo(f"offline pickup for {site.code}: {state}")
