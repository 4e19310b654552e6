"""Bearer tokens for couriers and kiosks (stored only as digests)."""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from ..extensions import db
from ..models import Courier, Kiosk
from ..services.tokens import token_digest
from .problems import Unauthorized


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_courier() -> Courier:
    token = bearer_token()
    courier = None
    if token:
        courier = db.session.scalar(select(Courier).where(Courier.token_digest == token_digest(token)))
    if courier is None or not courier.active:
        raise Unauthorized("send the courier's API token as 'Authorization: Bearer <token>'")
    return courier


def current_kiosk() -> Kiosk:
    token = bearer_token()
    kiosk = None
    if token:
        kiosk = db.session.scalar(select(Kiosk).where(Kiosk.token_digest == token_digest(token)))
    if kiosk is None or not kiosk.active:
        raise Unauthorized("send the kiosk's device token as 'Authorization: Bearer <token>'")
    return kiosk
