"""Admins, a signed-in test client and small readers of the admin pages, shared by the admin tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from locker_app.extensions import db
from locker_app.services import provisioning

PASSWORD = "correct horse battery"
MASKED = "+82 10-****-5678"  # what an admin sees of 010-1234-5678, the number the `api` helper uses
# Ways the full number could leak: E.164, national with or without dashes, the middle digits.
FULL_FORMS = ("1012345678", "010-1234-5678", "10-1234-5678", "1234-5678", "12345678")


def assert_no_full_number(text: str) -> None:
    for form in FULL_FORMS:
        assert form not in text, f"full phone number ({form}) shown to an admin"


@dataclass
class Admins:
    operator_token: str
    viewer_token: str


def create_admins(app: Flask) -> Admins:
    with app.app_context():
        now = app.extensions["locker.clock"]()
        session = db.session()
        _, operator = provisioning.create_admin(session, now, "ops", PASSWORD, "operator", with_token=True)
        _, viewer = provisioning.create_admin(session, now, "viewer", PASSWORD, "viewer", with_token=True)
        session.commit()
    assert operator and viewer
    return Admins(operator, viewer)


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class AdminBrowser:
    """A test client that signs in through the login form and posts forms with their CSRF token."""

    def __init__(self, client: FlaskClient, language: str = "en") -> None:
        self.client = client
        # The admin speaks Korean by default; these tests read its English words unless they ask for Korean.
        client.set_cookie("locker_lang", language)

    def login(self, username: str = "ops", password: str = PASSWORD, **kwargs: Any) -> Any:
        page = self.client.get("/admin/login", **kwargs)
        return self.client.post("/admin/login", data={"username": username, "password": password,
                                                      "csrf_token": csrf_from(page.get_data(as_text=True))},
                                **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def text(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
        return response.get_data(as_text=True)

    def post_form(self, path: str, data: dict[str, str], page: str) -> Any:
        """Post as the form on `page` would, with the token that page carries."""
        token = csrf_from(self.text(page))
        return self.client.post(path, data={**data, "csrf_token": token})


def signed_in(app: Flask, username: str = "ops") -> AdminBrowser:
    browser = AdminBrowser(app.test_client())
    response = browser.login(username)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return browser


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def tile_counts(html: str, site: str) -> dict[str, dict[str, int]]:
    """{size: {free, reserved, occupied, disabled, total}} as the dashboard tile of `site` shows them."""
    tile = re.search(rf'<article class="tile" data-site="{re.escape(site)}">(.*?)</article>', html, re.S)
    assert tile, f"no tile for {site}"
    sizes = {}
    for size, row in re.findall(r'<tr data-size="(\w+)">(.*?)</tr>', tile.group(1), re.S):
        sizes[size] = {key: int(value) for key, value in re.findall(r'data-count="(\w+)"[^>]*>(\d+)<', row)}
    return sizes


def tile_stat(html: str, site: str, stat: str) -> str:
    tile = re.search(rf'<article class="tile" data-site="{re.escape(site)}">(.*?)</article>', html, re.S)
    assert tile
    found = re.search(rf'data-stat="{stat}">\s*<dt>[^<]*</dt><dd[^>]*>([^<]*)</dd>', tile.group(1))
    assert found, f"no {stat} on the {site} tile"
    return found.group(1).strip()
