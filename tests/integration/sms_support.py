"""Helpers shared by the SMS tests: deposit a parcel, run the relay, read the outbox, post a signed callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from locker_app.extensions import db
from locker_app.models import Event, Message
from locker_app.sms.relay import relay_once
from locker_app.sms.senders import SmsSender
from tests.fakes.twilio import sign, status_params
from tests.fakes.twilio_fixtures import AUTH_TOKEN

CALLBACK_PATH = "/webhooks/twilio/status"


def deposited(api: Any, phone: str = "010-1234-5678", size: str = "S") -> str:
    reserved = api.reserve(size=size, phone=phone)
    assert reserved.status_code == 201, reserved.get_json()
    parcel_id = reserved.get_json()["parcel_id"]
    answer = api.deposit(parcel_id)
    assert answer.status_code == 200, answer.get_json()
    return str(parcel_id)


def relay(app: Flask, sender: SmsSender, rng: Callable[[], float] = lambda: 1.0) -> int:
    with app.app_context():
        return relay_once(db.session(), sender, app.extensions["locker.clock"], None, rng=rng)


def messages(app: Flask, parcel_id: str | None = None) -> list[Message]:
    with app.app_context():
        query = sa.select(Message).order_by(Message.id)
        if parcel_id is not None:
            query = query.where(Message.parcel_id == parcel_id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        db.session.rollback()
        return rows


def events(app: Flask, action: str) -> list[Event]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Event).where(Event.action == action).order_by(Event.id)))
        db.session.expunge_all()
        db.session.rollback()
        return rows


def post_callback(client: FlaskClient, sid: str, status: str, error_code: int | None = None, *,
                  signed_url: str = "http://localhost" + CALLBACK_PATH, token: str = AUTH_TOKEN,
                  signature: str | None = None) -> Any:
    params = status_params(sid, status, error_code)
    headers = {"X-Twilio-Signature": signature if signature is not None else sign(token, signed_url, params)}
    return client.post(CALLBACK_PATH, data=params, headers=headers)
