"""`flask --app wsgi locker seal-keys`: which seal keys waiting SMS still need, before retiring one."""

from __future__ import annotations

from collections import Counter

import click
from flask import current_app
from sqlalchemy import select

from ..cli import locker
from ..extensions import current_session, db
from ..models import Message
from ..offline.models import PendingVerifier
from .keys import SealKeys, key_id_of


@locker.command("seal-keys")
def seal_keys() -> None:
    """Sealed codes by key id; an old key with none left can be dropped from LOCKER_SEAL_KEYS_OLD."""
    keys: SealKeys = current_app.config["SEAL_KEYS"]
    # Only messages not yet accepted by the provider, and codes whose offline verifier the scheduler has still to
    # make (ADR 0015), hold a seal: a few hundred rows at most, a wave's worth at the peak.
    counts = Counter(key_id_of(token or "") for token in current_session().scalars(
        select(Message.code_sealed).where(Message.code_sealed.is_not(None))))
    counts.update(key_id_of(token) for token in current_session().scalars(select(PendingVerifier.code_sealed)))
    db.session.rollback()
    configured = [key_id for key_id, _ in keys.known]
    for key_id in configured:
        role = "current" if key_id == keys.current_id else "old"
        waiting = counts.get(key_id, 0)
        advice = "; can be retired" if role == "old" and not waiting else ""
        click.echo(f"{key_id}: {role}, {waiting} sealed codes waiting{advice}")
    lost = {key_id: n for key_id, n in counts.items() if key_id not in configured}
    for key_id, waiting in sorted(lost.items()):
        click.echo(f"{key_id}: NOT CONFIGURED, {waiting} sealed codes that cannot be sent", err=True)
    if lost:
        raise click.ClickException("add the missing keys to LOCKER_SEAL_KEYS_OLD")
