"""A resident's lost code, from the touchscreen: a fresh code by SMS to her number, never a hint that a parcel exists.

Every well-formed number takes the same path and gets the same answer: the number's requests in the last
day are counted (as a digest, not the number), this site's stored parcels for it are looked up, and only
then, for each one found and while the number has requests left, resend.resend_code issues the new code
(the old one stops) within the parcel's resend limit and the SMS caps. Such a code also gets a grant:
while the keypad is paused or locked it still opens its door, for GRANT_TRIES attempts (issue 20, 3)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import AccessCode, Parcel, Site
from ..services import events, resend
from ..services.codes import CODE_DIGITS, Peppers, looks_like_code
from ..services.errors import InvalidInput, InvalidState
from ..services.issue_codes import digests_under, matching
from ..services.phones import normalize_phone
from .models import LostCodeGrant, LostCodeRequest

PER_NUMBER_PER_DAY = 3
DAY = timedelta(hours=24)
GRANT_TRIES = 3
GRANT_LIFETIME = timedelta(hours=24)
ACCEPTED = {"status": "accepted",
            "detail": "if a parcel is waiting here for this number, a new code is on its way by SMS"}


def _digest(e164: str) -> str:
    return hashlib.sha256(f"lost-code:{e164}".encode()).hexdigest()


def request_code(session: Session, now: datetime, site: Site, phone: object, peppers: Peppers,
                 actor: str) -> int:
    """How many SMS were queued (for the caller's after-commit kick only: never shown to the kiosk)."""
    try:
        e164 = normalize_phone(phone, site.country)
    except InvalidInput as exc:
        raise InvalidInput("phone must be a mobile phone number", field="phone") from exc
    digest = _digest(e164)
    asked = session.scalar(select(func.count()).select_from(LostCodeRequest).where(
        LostCodeRequest.phone_digest == digest, LostCodeRequest.at > now - DAY)) or 0
    waiting = list(session.scalars(select(Parcel).where(
        Parcel.site_id == site.id, Parcel.recipient_phone == e164, Parcel.state == "stored",
        Parcel.pickup_deadline > now).order_by(Parcel.deposited_at)))
    if asked >= PER_NUMBER_PER_DAY:
        return 0  # not recorded either: the count only has to reach the cap
    session.add(LostCodeRequest(phone_digest=digest, site_id=site.id, at=now))
    queued = 0
    for parcel in waiting:
        try:
            message = resend.resend_code(session, now, parcel, peppers, actor)
        except (resend.ResendLimit, InvalidState):
            continue
        if message is None:
            continue  # a cost cap refused it: an sms.refused event, and the old code still works
        session.execute(delete(LostCodeGrant).where(LostCodeGrant.parcel_id == parcel.id))
        session.add(LostCodeGrant(parcel_id=parcel.id, site_id=site.id, tries_left=GRANT_TRIES, created_at=now,
                                  expires_at=now + GRANT_LIFETIME))
        events.record(session, now, actor, "parcel.lost_code_sent", site_id=site.id, parcel_id=parcel.id)
        queued += 1
    session.flush()
    return queued


def bypasses_pause(session: Session, now: datetime, site: Site, code: object, peppers: Peppers) -> bool:
    """While the keypad is paused: may this attempt go on to the normal code check?

    Only if the code is a lost-code code with tries left. Every attempt made during the pause spends a try
    of every live grant at the site, so a guesser gets no more than GRANT_TRIES guesses per grant there."""
    grants = list(session.scalars(
        select(LostCodeGrant).join(Parcel, Parcel.id == LostCodeGrant.parcel_id)
        .where(LostCodeGrant.site_id == site.id, LostCodeGrant.expires_at > now, LostCodeGrant.tries_left > 0,
               Parcel.state == "stored")
        .with_for_update(of=LostCodeGrant)))
    if not grants:
        return False
    for grant in grants:
        grant.tries_left -= 1
    typed = code if looks_like_code(code) else "?" * CODE_DIGITS
    digests = digests_under(peppers, site.id, typed)  # type: ignore[arg-type]
    parcel_id = session.scalar(select(AccessCode.parcel_id).where(
        AccessCode.site_id == site.id, AccessCode.active, AccessCode.kind == "pickup", matching(digests)))
    return looks_like_code(code) and parcel_id is not None and any(g.parcel_id == parcel_id for g in grants)
