"""`flask --app wsgi locker seal-keys`: which seal keys waiting SMS still need, before retiring one."""

from __future__ import annotations

from collections import Counter

from flask import current_app
from sqlalchemy import select

from ..cli import locker
from ..extensions import current_session, db
from ..key_rotation_report import KeyWords, echo_key_usage
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
    echo_key_usage((key_id for key_id, _ in keys.known), keys.current_id, counts, KeyWords(
        rows="sealed codes waiting", lost_rows="sealed codes that cannot be sent",
        old_setting="LOCKER_SEAL_KEYS_OLD", missing="keys"))
