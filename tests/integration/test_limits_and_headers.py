"""Rate limits (courier API per token, admin sign-in per address) answer 429 problem+json; with a Redis store
they hold across workers; every answer carries the security headers, and pages keep their own policies."""

from __future__ import annotations

import socket
import uuid

import pytest

from tests.admin_support import AdminBrowser, create_admins

PARCELS = "/api/v1/parcels"


def _get(client, token):
    return client.get(PARCELS, headers={"Authorization": f"Bearer {token}"})


def test_the_courier_api_is_limited_per_token(make_app, world_factory):
    app = make_app(RATELIMIT_COURIER="3/minute")
    world = world_factory(app)
    client = app.test_client()
    assert [_get(client, world.courier_token).status_code for _ in range(3)] == [200, 200, 200]
    refused = _get(client, world.courier_token)
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["type"] == "too-many-requests"
    assert int(refused.headers["Retry-After"]) > 0
    # Another carrier's token has its own allowance.
    assert _get(client, world.other_courier_token).status_code == 200


def test_admin_sign_in_is_limited_per_address(make_app):
    app = make_app(RATELIMIT_LOGIN="2/minute")
    create_admins(app)
    browser = AdminBrowser(app.test_client())
    assert browser.login(password="wrong password!").status_code == 401
    assert browser.login(password="wrong password!").status_code == 401
    refused = browser.login()  # even the right password waits
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["type"] == "too-many-requests"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_a_redis_store_shares_the_limit_between_workers(make_app, world_factory):
    settings = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "RATELIMIT_COURIER": "4/minute",
                "RATELIMIT_KEY_PREFIX": f"locker-test-{uuid.uuid4().hex}"}
    first, second = make_app(**settings), make_app(**settings)
    world = world_factory(first)
    statuses = [_get(app.test_client(), world.courier_token).status_code
                for app in (first, second, first, second, first, second)]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_json_answers_carry_the_security_headers(client, world):
    for response in (client.get("/healthz"), _get(client, world.courier_token), _get(client, "wrong")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_keep_their_own_policies(client):
    kiosk = client.get("/kiosk/")
    assert "script-src 'self'" in kiosk.headers["Content-Security-Policy"]
    admin = client.get("/admin/login")
    assert "form-action 'self'" in admin.headers["Content-Security-Policy"]
    assert admin.headers["Referrer-Policy"] == "same-origin"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in docs.get_data(as_text=True)
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200  # from the package: no CDN
    assert "frame-ancestors 'none'" in docs.headers["Content-Security-Policy"]
    for page in (kiosk, admin, docs):
        assert page.headers["X-Content-Type-Options"] == "nosniff"
