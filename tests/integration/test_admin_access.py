"""Who gets into the admin and what they may do: sign-in, cookie flags, throttling, roles, CSRF, tokens."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from locker_app.extensions import db
from locker_app.services.admin_auth import PER_ADDRESS, PER_USERNAME, WINDOW
from tests.admin_support import PASSWORD, AdminBrowser, Admins, bearer, create_admins, csrf_from, signed_in


@pytest.fixture
def admins(app, world) -> Admins:
    """An operator `ops` and a viewer `viewer`, both with API tokens, over the seeded world."""
    return create_admins(app)


DISABLE_A01 = "/admin/sites/MAPO-001/compartments/A01/disable"


def in_service(app, label: str = "A01") -> bool:
    with app.app_context():
        value = db.session.execute(sa.text(
            "SELECT c.in_service FROM compartments c JOIN sites s ON s.id = c.site_id "
            "WHERE s.code = 'MAPO-001' AND c.label = :label"), {"label": label}).scalar_one()
        db.session.rollback()
    return bool(value)


def actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT actor, action FROM events ORDER BY id")).all()
        db.session.rollback()
    return [(r.actor, r.action) for r in rows]


def set_cookie(response) -> str:
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("locker_admin=")]
    assert cookies, "no session cookie set"
    return cookies[-1]


# --- signing in ------------------------------------------------------------------------------------

def test_sign_in_sets_a_safe_cookie_and_records_an_event(app, admins):
    browser = AdminBrowser(app.test_client())
    response = browser.login("ops", base_url="https://admin.example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    cookie = set_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie and "Secure" in cookie
    assert ("admin:1", "admin.login") in actions(app)
    page = browser.get("/admin/", base_url="https://admin.example.org")
    assert page.status_code == 200 and "ops" in page.get_data(as_text=True)


def test_cookie_secure_everywhere_but_plain_http_on_loopback_in_development(make_app, world):
    app = make_app()

    create_admins(app)
    local = AdminBrowser(app.test_client()).login("ops", base_url="http://127.0.0.1:5000")
    assert "Secure" not in set_cookie(local)
    lan = AdminBrowser(app.test_client()).login("ops", base_url="http://192.168.0.10:5000")
    assert "Secure" in set_cookie(lan)
    forced = make_app(COOKIE_SECURE=True)
    assert "Secure" in set_cookie(AdminBrowser(forced.test_client()).login("ops"))
    production = make_app(PRODUCTION=True)
    assert "Secure" in set_cookie(AdminBrowser(production.test_client()).login("ops", base_url="http://127.0.0.1"))


def test_a_wrong_password_is_refused_and_recorded(app, admins):
    browser = AdminBrowser(app.test_client())
    response = browser.login("ops", "not the password")
    assert response.status_code == 401 and "wrong username or password" in response.get_data(as_text=True)
    unknown = browser.login("somebody-typed-a-password-here", "x")
    assert unknown.status_code == 401
    assert browser.get("/admin/").status_code == 302
    with app.app_context():
        rows = db.session.execute(sa.text(
            "SELECT actor, detail FROM events WHERE action = 'admin.login_failed' ORDER BY id")).all()
    assert [r.actor for r in rows] == ["admin:1", "anonymous"]
    assert "somebody-typed" not in str(rows[1].detail)


def test_pages_redirect_and_the_api_answers_401_without_sign_in(client, admins):
    page = client.get("/admin/parcels?state=stored")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/admin/login?next=/admin/parcels")
    api = client.get("/admin/api/occupancy")
    assert api.status_code == 401 and api.headers["Content-Type"] == "application/problem+json"
    assert client.get("/admin/api/occupancy", headers=bearer("not-a-token")).status_code == 401
    assert client.get("/admin/api/occupancy", headers=bearer(admins.viewer_token)).status_code == 200


def test_sign_in_goes_back_only_into_the_admin(app, admins):
    browser = AdminBrowser(app.test_client())
    page = browser.get("/admin/login?next=https://evil.example/")
    response = app.test_client().post("/admin/login", data={"username": "ops", "password": PASSWORD,
                                                            "next": "//evil.example/",
                                                            "csrf_token": csrf_from(page.get_data(as_text=True))})
    # A fresh client has no session, so no token: refused before anything else.
    assert response.status_code == 403
    response = browser.client.post("/admin/login", data={"username": "ops", "password": PASSWORD,
                                                         "next": "//evil.example/",
                                                         "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/admin/"


def test_sessions_end_after_twelve_hours_and_on_sign_out(app, admins, clock):
    browser = signed_in(app)
    clock.advance(hours=11)
    assert browser.get("/admin/").status_code == 200
    clock.advance(hours=2)
    assert browser.get("/admin/").status_code == 302
    browser = signed_in(app)
    token = csrf_from(browser.text("/admin/"))
    assert browser.client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert browser.get("/admin/").status_code == 302
    assert ("admin:1", "admin.logout") in actions(app)


# --- throttling ------------------------------------------------------------------------------------

def test_five_wrong_passwords_then_even_the_right_one_waits(app, admins, clock):
    browser = AdminBrowser(app.test_client())
    for _ in range(PER_USERNAME):
        assert browser.login("ops", "wrong password").status_code == 401
    throttled = browser.login("ops", PASSWORD)
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= WINDOW.total_seconds() + 1
    assert "too many sign-in attempts" in throttled.get_data(as_text=True)
    assert browser.get("/admin/").status_code == 302
    # Another admin is not held up by it.
    assert AdminBrowser(app.test_client()).login("viewer").status_code == 302
    clock.advance(seconds=int(throttled.headers["Retry-After"]))
    assert browser.login("ops", PASSWORD).status_code == 302


def test_throttling_holds_across_workers(make_app, world, admins):
    # Two app instances over one database stand for two gunicorn workers.
    first, second = make_app(), make_app()
    for n in range(PER_USERNAME):
        app = first if n % 2 else second
        assert AdminBrowser(app.test_client()).login("OPS", "wrong").status_code == 401
    assert AdminBrowser(first.test_client()).login("ops", PASSWORD).status_code == 429
    assert AdminBrowser(second.test_client()).login("ops", PASSWORD).status_code == 429


def test_one_address_trying_many_names_is_throttled(app, admins):
    browser = AdminBrowser(app.test_client())
    addr = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    for n in range(PER_ADDRESS):
        assert browser.login(f"user{n}", "guess", **addr).status_code == 401
    assert browser.login("ops", PASSWORD, **addr).status_code == 429
    assert AdminBrowser(app.test_client()).login("ops", PASSWORD).status_code == 302


@pytest.fixture
def live_admin(make_app, world):
    app = make_app()

    create_admins(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_concurrent_guesses_never_pass_the_limit(live_admin):
    app, base = live_admin
    outcomes: list[int] = []
    ready = threading.Barrier(12)

    def guess(n: int) -> None:
        with requests.Session() as http:
            page = http.get(f"{base}/admin/login", timeout=30)
            token = csrf_from(page.text)
            ready.wait()
            answer = http.post(f"{base}/admin/login", timeout=60, allow_redirects=False,
                               data={"username": "ops", "password": f"guess {n}", "csrf_token": token})
            outcomes.append(answer.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Attempts that overlap may all see each other and be refused: fewer than the limit may get a
    # password check, never more.
    checked = outcomes.count(401)
    assert 0 < len(outcomes) == 12 and set(outcomes) <= {401, 429}
    assert checked <= PER_USERNAME and outcomes.count(429) >= 12 - PER_USERNAME
    assert len([a for a in actions(app) if a[1] == "admin.login_failed"]) == checked


# --- roles -----------------------------------------------------------------------------------------

def test_a_viewer_reads_but_cannot_change(app, admins):
    viewer = bearer(admins.viewer_token)
    assert app.test_client().get("/admin/api/sites/MAPO-001/compartments", headers=viewer).status_code == 200
    refused = app.test_client().post("/admin/api/sites/MAPO-001/compartments/A01/disable", headers=viewer,
                                     json={"reason": "just looking"})
    assert refused.status_code == 403 and refused.get_json()["type"] == "forbidden"
    browser = signed_in(app, "viewer")
    site_page = browser.text("/admin/sites/MAPO-001")
    assert "Disable</button>" not in site_page
    # Even a hand-made form post with a valid CSRF token is refused.
    response = browser.client.post(DISABLE_A01, data={"reason": "just looking", "csrf_token": csrf_from(site_page)})
    assert response.status_code == 403 and "viewers can look" in response.get_data(as_text=True)
    assert in_service(app)
    assert not [a for a in actions(app) if a[1].startswith("compartment.")]


def test_an_operator_disables_and_enables_with_a_reason(app, admins):
    browser = signed_in(app)
    response = browser.post_form(DISABLE_A01, {"reason": "door sticks"}, "/admin/sites/MAPO-001")
    assert response.status_code == 302
    assert not in_service(app)
    page = browser.text("/admin/sites/MAPO-001")
    assert "A01 is out of service" in page and "door sticks" in page
    assert re.search(r'data-compartment="A01" data-status="disabled"', page)
    no_reason = browser.post_form("/admin/sites/MAPO-001/compartments/A02/disable", {"reason": ""},
                                  "/admin/sites/MAPO-001")
    assert no_reason.status_code == 302 and in_service(app, "A02")
    assert "give a reason" in browser.text("/admin/sites/MAPO-001")
    assert browser.post_form("/admin/sites/MAPO-001/compartments/A01/enable", {"reason": ""},
                             "/admin/sites/MAPO-001").status_code == 302
    assert in_service(app)
    assert [a for a in actions(app) if a[1].startswith("compartment.")] == [
        ("admin:1", "compartment.disabled"), ("admin:1", "compartment.enabled")]


# --- CSRF ------------------------------------------------------------------------------------------

def test_a_form_post_without_the_token_is_refused_and_changes_nothing(app, admins):
    browser = signed_in(app)
    before = actions(app)
    missing = browser.client.post(DISABLE_A01, data={"reason": "forged"})
    assert missing.status_code == 403 and "csrf-failed" in missing.get_data(as_text=True)
    wrong = browser.client.post(DISABLE_A01, data={"reason": "forged", "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    other_site = browser.client.post(DISABLE_A01, headers={"Origin": "https://evil.example"},
                                     data={"reason": "forged", "csrf_token": csrf_from(browser.text("/admin/"))})
    assert other_site.status_code == 403
    # The JSON API with the session cookie needs the token in a header; with a bearer token it does not.
    json_post = browser.client.post("/admin/api/sites/MAPO-001/compartments/A01/disable", json={"reason": "forged"})
    assert json_post.status_code == 403 and json_post.get_json()["type"] == "csrf-failed"
    logout = browser.client.post("/admin/logout")
    assert logout.status_code == 403
    assert in_service(app) and actions(app) == before
    assert browser.get("/admin/").status_code == 200  # still signed in: the forged sign-out did nothing
    with_header = browser.client.post("/admin/api/sites/MAPO-001/compartments/A01/disable", json={"reason": "real"},
                                      headers={"X-CSRF-Token": csrf_from(browser.text("/admin/"))})
    assert with_header.status_code == 200 and with_header.get_json()["status"] == "disabled"


def test_sign_in_itself_needs_the_token(app, admins):
    response = app.test_client().post("/admin/login", data={"username": "ops", "password": PASSWORD})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM admin_login_attempts")).scalar_one() == 0


# --- headers ---------------------------------------------------------------------------------------

ADMIN_PAGES = ("/admin/", "/admin/sites/MAPO-001", "/admin/parcels", "/admin/events", "/admin/messages")


def test_every_page_has_a_strict_csp_and_no_inline_script_or_style(app, api, admins):
    parcel = api.reserve().get_json()["parcel_id"]
    browser = signed_in(app)
    for path in ("/admin/login", *ADMIN_PAGES, f"/admin/parcels/{parcel}"):
        response = (app.test_client() if path == "/admin/login" else browser).get(path)
        assert response.status_code == 200, path
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["Cache-Control"] == "no-store"
        html = response.get_data(as_text=True)
        assert "<script" not in html and " style=" not in html and "<style" not in html, path
        assert "http://" not in html and "https://" not in html, f"{path} loads something from the network"
    css = browser.get("/admin/static/admin.css")
    assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]


def test_admin_tokens_work_only_for_the_api(app, admins):
    client = app.test_client()
    me = client.get("/admin/api/me", headers=bearer(admins.operator_token)).get_json()
    assert me == {"username": "ops", "role": "operator", "via": "token"}
    assert client.get("/admin/", headers=bearer(admins.operator_token)).status_code == 302
    assert timedelta(0) < WINDOW
