"""Problem reports from the touchscreen: an event that the admin dashboard shows as an alert on the site."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Compartment, Event, Site
from ..services import events
from ..services.errors import InvalidInput

KINDS = ("parcel-missing", "damaged", "door-stuck")
ACTION = "site.problem_reported"


def report(session: Session, now: datetime, site: Site, kind: object, compartment: object, actor: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    compartment_id = None
    if compartment is not None:
        if not isinstance(compartment, str):
            raise InvalidInput("compartment must be a door label such as A03", field="compartment")
        compartment_id = session.scalar(select(Compartment.id).where(Compartment.site_id == site.id,
                                                                     Compartment.label == compartment.strip().upper()))
        if compartment_id is None:
            raise InvalidInput(f"this site has no compartment {compartment!r}", field="compartment")
    events.record(session, now, actor, ACTION, site_id=site.id, compartment_id=compartment_id, kind=kind)


ALERT_WINDOW = timedelta(hours=24)


def recent_counts(session: Session, now: datetime, site_ids: list[int]) -> dict[int, int]:
    """Problem reports of the last ALERT_WINDOW by site: the dashboard's alert."""
    rows = session.execute(
        select(Event.site_id, func.count()).where(Event.action == ACTION, Event.site_id.in_(site_ids),
                                                  Event.at > now - ALERT_WINDOW)
        .group_by(Event.site_id))
    return {site_id: int(count) for site_id, count in rows if site_id is not None}
