"""What the schema fuzzing needs: the app's own document, and each API's bearer token."""

from __future__ import annotations

import os
from dataclasses import dataclass

import schemathesis
from flask import Flask

from locker_app.extensions import db
from locker_app.services import provisioning
from tests.conftest import World

# Examples per operation and generation mode; CI keeps the default (a minute or two on 2 cores).
EXAMPLES = int(os.environ.get("LOCKER_FUZZ_EXAMPLES", "20"))


@dataclass
class Tokens:
    courier: str
    kiosk: str
    admin: str

    def for_path(self, path: str) -> dict[str, str]:
        for prefix, token in (("/api/", self.courier), ("/kiosk/", self.kiosk), ("/admin/api/", self.admin)):
            if path.startswith(prefix):
                return {"Authorization": f"Bearer {token}"}
        return {}


def tokens(app: Flask, world: World) -> Tokens:
    with app.app_context():
        now = app.extensions["locker.clock"]()
        _, admin_token = provisioning.create_admin(db.session(), now, "fuzz-ops", "fuzz-password-1",
                                                   with_token=True)
        db.session.commit()
    assert admin_token
    return Tokens(world.courier_token, world.kiosk_token, admin_token)


def load_schema(app: Flask) -> schemathesis.schemas.BaseSchema:
    return schemathesis.openapi.from_wsgi("/openapi.json", app)
