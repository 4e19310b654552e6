"""Couriers with kiosk PINs, and the walk-up calls a test makes through the kiosk API."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from locker_app.extensions import db
from locker_app.models import Courier
from locker_app.walkup.credentials import set_pin

COURIER_PHONE = "010-2222-3333"


def give_pin(app: Flask, courier_name: str = "Kim", phone: str = COURIER_PHONE) -> str:
    with app.app_context():
        session = db.session()
        courier = session.scalar(select(Courier).where(Courier.name == courier_name))
        assert courier is not None
        pin = set_pin(session, app.extensions["locker.clock"](), courier, phone, "test")
        session.commit()
    return pin


class Kiosk:
    """One kiosk's touchscreen calls."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token
        self.session: str | None = None

    def _headers(self, key: bool = False, session: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if session or self.session:
            headers["X-Courier-Session"] = session or self.session or ""
        if key:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        return headers

    def sign_in(self, phone: str = COURIER_PHONE, pin: str = "000000") -> Any:
        answer = self.client.post("/kiosk/v1/courier/session", json={"phone": phone, "pin": pin},
                                  headers=self._headers())
        if answer.status_code == 201:
            self.session = answer.get_json()["session"]
        return answer

    def sign_out(self) -> Any:
        return self.client.delete("/kiosk/v1/courier/session", headers=self._headers())

    def deposit(self, phone: str = "010-1234-5678", size: str = "S", session: str | None = None,
                key: str | None = None, **extra: Any) -> Any:
        headers = self._headers(True, session)
        if key:
            headers["Idempotency-Key"] = key
        return self.client.post("/kiosk/v1/courier/deposits", json={"recipient_phone": phone, "size": size, **extra},
                                headers=headers)

    def stored(self, parcel_id: str, session: str | None = None, key: str | None = None) -> Any:
        headers = self._headers(True, session)
        if key:
            headers["Idempotency-Key"] = key
        return self.client.post(f"/kiosk/v1/courier/deposits/{parcel_id}/stored", headers=headers)

    def cancel(self, parcel_id: str, session: str | None = None) -> Any:
        return self.client.post(f"/kiosk/v1/courier/deposits/{parcel_id}/cancel", headers=self._headers(True, session))

    def site(self) -> Any:
        return self.client.get("/kiosk/v1/site", headers={"Authorization": f"Bearer {self.token}"})

    def lost_code(self, phone: str) -> Any:
        return self.client.post("/kiosk/v1/codes/resend", json={"phone": phone},
                                headers={"Authorization": f"Bearer {self.token}"})

    def pickup(self, code: str) -> Any:
        return self.client.post("/kiosk/v1/pickup", json={"code": code},
                                headers={"Authorization": f"Bearer {self.token}"})
