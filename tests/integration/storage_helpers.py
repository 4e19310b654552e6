"""Shared steps of the storage-policy tests: a parcel stored at the frozen clock's time, and what it left behind."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from locker_app.extensions import db
from locker_app.jobs import relay_job, run_all_once
from tests.conftest import Api, RecordingSender, code_from


def store_parcel(app: Flask, api: Api, sms: RecordingSender, *, size: str = "S", phone: str = "010-1234-5678",
                 token: str | None = None) -> tuple[str, str]:
    """Reserve and deposit; returns the parcel id and the pickup code from the delivery SMS."""
    reserved = api.reserve(size=size, phone=phone, token=token)
    assert reserved.status_code == 201, reserved.get_json()
    parcel_id = reserved.get_json()["parcel_id"]
    deposited = api.deposit(parcel_id, token=token)
    assert deposited.status_code == 200, deposited.get_json()
    before = len(sms.sent)
    with app.app_context():
        relay_job()
    assert len(sms.sent) == before + 1
    return parcel_id, code_from(sms.sent[-1]["body"])


def run_jobs(app: Flask) -> dict[str, int]:
    with app.app_context():
        return run_all_once(app.extensions["locker.clock"]())


def rows(app: Flask, sql: str, **params: Any) -> list[Any]:
    with app.app_context():
        found = list(db.session.execute(sa.text(sql), params).all())
        db.session.rollback()
        return found


def events_of(app: Flask, parcel_id: str) -> list[str]:
    return [r.action for r in rows(app, "SELECT action FROM events WHERE parcel_id = :p ORDER BY id", p=parcel_id)]
