"""Two districts for the scope and four-eyes tests: Mapo-gu (the seeded world) and Seocho-gu, with an admin
for each, a city-wide operator, and a stored parcel, its SMS, its events and an open request at each site."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from locker_app.extensions import db
from locker_app.jobs import relay_job
from locker_app.services import provisioning
from tests.admin_support import PASSWORD

SEOCHO_SITE = "SEOCHO-001"
SEOCHO_NAME = "서초구청 안심택배함"
SEOCHO_TRACKING = "SEOCHO777000"
MAPO_TRACKING = "MAPO555000"


@dataclass
class TwoDistricts:
    tokens: dict[str, str]  # username -> admin API token
    mapo_parcel: str
    mapo_label: str
    seocho_parcel: str
    seocho_label: str
    seocho_request: int
    seocho_kiosk_token: str


def make_admins(app: Flask) -> dict[str, str]:
    spec = {"mapo_ops": ("operator", ["Mapo-gu"]), "mapo_ops2": ("operator", ["Mapo-gu"]),
            "mapo_viewer": ("viewer", ["Mapo-gu"]), "seocho_ops": ("operator", ["Seocho-gu"]),
            "seocho_ops2": ("operator", ["Seocho-gu"]), "city": ("operator", None)}
    tokens = {}
    with app.app_context():
        now = app.extensions["locker.clock"]()
        for name, (role, districts) in spec.items():
            _, token = provisioning.create_admin(db.session, now, name, PASSWORD, role, with_token=True,
                                                 districts=districts)
            assert token
            tokens[name] = token
        db.session.commit()
    return tokens


def seed_two_districts(app: Flask, api) -> TwoDistricts:
    with app.app_context():
        now = app.extensions["locker.clock"]()
        provisioning.create_site(db.session, now, SEOCHO_SITE, SEOCHO_NAME, "S:2,M:1", district="Seocho-gu",
                                 lat=37.4837, lon=127.0324, sms_name="서초구청 안심택배")
        _, kiosk = provisioning.create_kiosk(db.session, now, SEOCHO_SITE)
        db.session.commit()
    tokens = make_admins(app)
    stored = {}
    for site, tracking in (("MAPO-001", MAPO_TRACKING), (SEOCHO_SITE, SEOCHO_TRACKING)):
        reserved = api.reserve(site=site, size="S", tracking=tracking)
        assert reserved.status_code == 201, reserved.get_json()
        parcel = reserved.get_json()
        assert api.deposit(parcel["parcel_id"]).status_code == 200
        stored[site] = (parcel["parcel_id"], parcel["compartment"])
    with app.app_context():
        relay_job()
    asked = api.client.post(f"/admin/api/sites/{SEOCHO_SITE}/compartments/{stored[SEOCHO_SITE][1]}/open",
                            json={"category": "door-fault", "reason": "door jammed"},
                            headers={"Authorization": f"Bearer {tokens['seocho_ops']}"})
    assert asked.status_code == 202 and asked.get_json()["approval_required"], asked.get_json()
    return TwoDistricts(tokens, *stored["MAPO-001"], *stored[SEOCHO_SITE], asked.get_json()["request"]["id"],
                        kiosk)
