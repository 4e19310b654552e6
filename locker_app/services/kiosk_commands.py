"""Remote opens: an admin queues one, the site's kiosk polls for it, opens the door and acknowledges."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Kiosk, KioskCommand
from . import events
from .compartments import check_reason
from .doors import find_compartment
from .errors import InvalidInput, NotFound

# A door opening long after the admin asked, with nobody watching, is worse than not opening at all.
COMMAND_TTL = timedelta(minutes=5)
RESULTS = ("opened", "failed")


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


def command_view(command: KioskCommand) -> dict[str, Any]:
    return {
        "id": command.id,
        "kind": command.kind,
        "compartment": command.compartment.label,
        "created_at": _iso(command.created_at),
        "expires_at": _iso(command.expires_at),
    }


def queue_remote_open(session: Session, now: datetime, site_id: int, label: str, reason: object,
                      actor: str) -> KioskCommand:
    """Ask the site's kiosk to open one door; the reason is required and goes to the audit trail."""
    text = check_reason(reason, required=True, least=1)
    compartment = find_compartment(session, site_id, label)
    command = KioskCommand(site_id=site_id, compartment=compartment, kind="open", reason=text,
                           actor=actor, created_at=now, expires_at=now + COMMAND_TTL)
    session.add(command)
    session.flush()
    events.record(session, now, actor, "door.remote_open_requested", site_id=site_id,
                  compartment_id=compartment.id, label=label, reason=command.reason, command_id=command.id)
    return command


def pending(session: Session, now: datetime, site_id: int) -> list[KioskCommand]:
    return list(session.scalars(
        select(KioskCommand)
        .where(KioskCommand.site_id == site_id, KioskCommand.acked_at.is_(None), KioskCommand.expires_at > now)
        .order_by(KioskCommand.id)
    ))


def acknowledge(session: Session, now: datetime, kiosk: Kiosk, command_id: int, result: object) -> KioskCommand:
    """The kiosk says it carried out (or failed) the command; a repeat acknowledgement changes nothing."""
    if result is None:
        result = "opened"
    if result not in RESULTS:
        raise InvalidInput(f"result must be one of {', '.join(RESULTS)}", field="result")
    # Ids past a 64-bit integer cannot exist, and the database driver would refuse to bind them.
    command = None if not 0 < command_id < 2**63 else session.scalar(
        select(KioskCommand).where(KioskCommand.id == command_id, KioskCommand.site_id == kiosk.site_id)
        .with_for_update(of=KioskCommand)
    )
    if command is None:
        raise NotFound("there is no such command for this kiosk")
    if command.acked_at is None:
        command.acked_at = now
        command.acked_by_kiosk_id = kiosk.id
        command.result = str(result)
        events.record(session, now, f"kiosk:{kiosk.id}", f"door.remote_{command.result}",
                      site_id=command.site_id, compartment_id=command.compartment_id,
                      label=command.compartment.label, command_id=command.id, requested_by=command.actor)
    return command
