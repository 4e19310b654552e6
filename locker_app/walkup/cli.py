"""`flask --app wsgi locker reset-courier-pin PHONE`: a new kiosk PIN (and the lockouts lifted)."""

from __future__ import annotations

import click
from flask import current_app

from ..cli import _transaction, locker
from ..extensions import current_session
from .credentials import credential_by_phone, reset_pin


@locker.command("reset-courier-pin")
@click.argument("phone")
def reset_courier_pin(phone: str) -> None:
    """Give the courier with this phone a new kiosk PIN; prints it (shown only now) as the last line."""
    with _transaction():
        session = current_session()
        credential = credential_by_phone(session, phone)
        courier_id = credential.courier_id
        pin = reset_pin(session, current_app.extensions["locker.clock"](), courier_id, "cli")
    click.echo(f"courier {courier_id}: new kiosk PIN (the old one no longer works):")
    click.echo(pin)
