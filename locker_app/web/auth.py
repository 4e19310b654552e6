"""Bearer tokens for couriers and kiosks (stored only as digests)."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import request
from sqlalchemy import Select, bindparam, select

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


Holder = TypeVar("Holder", Courier, Kiosk)

# Built once: every API request runs one, and a statement made afresh costs more than its SQL.
BY_DIGEST: dict[type, Select[Any]] = {model: select(model).where(model.token_digest == bindparam("digest"))
                                       for model in (Courier, Kiosk)}


def _holder(model: type[Holder]) -> Holder | None:
    token = bearer_token()
    if not token:
        return None
    holder: Holder | None = db.session.scalar(BY_DIGEST[model], {"digest": token_digest(token)})
    return holder if holder is not None and holder.active else None


def current_courier() -> Courier:
    courier = _holder(Courier)
    if courier is None:
        raise Unauthorized("send the courier's API token as 'Authorization: Bearer <token>'")
    return courier


def current_kiosk() -> Kiosk:
    kiosk = _holder(Kiosk)
    if kiosk is None:
        raise Unauthorized("send the kiosk's device token as 'Authorization: Bearer <token>'")
    return kiosk
