"""Admin sessions live on the server: signing out, a new password, a new scope or "sign out everywhere" end
them, and a copy of the cookie stops working. Sign-in throttling cannot be used to keep an owner out."""

from __future__ import annotations

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.services.admin_auth import PER_USERNAME
from tests.admin_support import PASSWORD, AdminBrowser, bearer, csrf_from
from tests.integration.scope_support import make_admins

COOKIE = "locker_admin"


def _copy_of(browser: AdminBrowser, app) -> AdminBrowser:
    cookie = browser.client.get_cookie(COOKIE, path="/admin")
    assert cookie is not None
    thief = AdminBrowser(app.test_client())
    thief.client.set_cookie(COOKIE, cookie.value, path="/admin")
    return thief


def _signed_in(app, username: str) -> AdminBrowser:
    browser = AdminBrowser(app.test_client())
    assert browser.login(username).status_code == 302
    return browser


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, world):
    make_admins(app)
    owner = _signed_in(app, "mapo_ops")
    copy = _copy_of(owner, app)
    assert copy.get("/admin/").status_code == 200  # the copy works while the session lives
    assert owner.client.post("/admin/logout", data={"csrf_token": csrf_from(owner.text("/admin/"))}).status_code == 302
    assert copy.get("/admin/").status_code == 302
    assert copy.get("/admin/api/me").status_code == 401
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM admin_sessions")).scalar() == 0
        db.session.rollback()


def test_sign_out_everywhere_ends_every_session_of_that_admin_only(app, world):
    make_admins(app)
    laptop, phone, colleague = _signed_in(app, "mapo_ops"), _signed_in(app, "mapo_ops"), _signed_in(app, "city")
    account = laptop.text("/admin/account")
    assert 'data-stat="open-sessions">2<' in account
    assert laptop.client.post("/admin/account/sessions/end-all",
                              data={"csrf_token": csrf_from(account)}).status_code == 302
    assert laptop.get("/admin/").status_code == 302 and phone.get("/admin/").status_code == 302
    assert colleague.get("/admin/").status_code == 200


def test_sign_out_everywhere_by_token(app, world):
    tokens = make_admins(app)
    browser = _signed_in(app, "mapo_viewer")
    ended = app.test_client().post("/admin/api/me/sessions/end-all", headers=bearer(tokens["mapo_viewer"]))
    assert ended.status_code == 200 and ended.get_json() == {"sessions_ended": 1}
    assert browser.get("/admin/").status_code == 302


def test_a_scope_change_ends_the_admins_sessions_and_only_a_city_wide_operator_makes_it(app, world):
    tokens = make_admins(app)
    seocho = _signed_in(app, "seocho_ops")
    with app.app_context():
        seocho_id = db.session.execute(sa.text("SELECT id FROM admins WHERE username = 'seocho_ops'")).scalar()
        db.session.rollback()
    path = f"/admin/api/admins/{seocho_id}/scope"
    refused = app.test_client().post(path, json={"all_districts": True}, headers=bearer(tokens["mapo_ops"]))
    assert refused.status_code == 403
    assert seocho.get("/admin/").status_code == 200
    changed = app.test_client().post(path, json={"districts": ["Mapo-gu"]}, headers=bearer(tokens["city"]))
    assert changed.status_code == 200 and changed.get_json()["districts"] == ["Mapo-gu"]
    assert seocho.get("/admin/").status_code == 302
    again = _signed_in(app, "seocho_ops")
    assert "MAPO-001" in again.text("/admin/")


def test_the_admins_page_changes_a_scope(app, world):
    make_admins(app)
    city = _signed_in(app, "city")
    page = city.text("/admin/admins")
    assert 'data-admin="mapo_viewer"' in page
    with app.app_context():
        viewer_id = db.session.execute(sa.text("SELECT id FROM admins WHERE username = 'mapo_viewer'")).scalar()
        db.session.rollback()
    city.post_form(f"/admin/admins/{viewer_id}/scope", {"districts": "Seocho-gu, Jongno-gu"}, "/admin/admins")
    assert "Jongno-gu, Seocho-gu" in city.text("/admin/admins")
    assert _signed_in(app, "mapo_ops").get("/admin/admins").status_code == 403


def test_a_password_change_ends_the_sessions(app, world, monkeypatch):
    make_admins(app)
    browser = _signed_in(app, "mapo_ops")
    monkeypatch.setenv("LOCKER_ADMIN_PASSWORD", "another good password")
    result = app.test_cli_runner().invoke(args=["locker", "set-admin-password", "mapo_ops"])
    assert result.exit_code == 0, result.output
    assert browser.get("/admin/").status_code == 302
    assert AdminBrowser(app.test_client()).login("mapo_ops", "another good password").status_code == 302


def test_create_admin_and_set_scope_from_the_cli(app, world, monkeypatch):
    monkeypatch.setenv("LOCKER_ADMIN_PASSWORD", PASSWORD)
    runner = app.test_cli_runner()
    neither = runner.invoke(args=["locker", "create-admin", "kim", "--role", "viewer"])
    assert neither.exit_code != 0 and "--all-districts" in neither.output
    made = runner.invoke(args=["locker", "create-admin", "kim", "--role", "viewer", "--districts", "Seocho-gu"])
    assert made.exit_code == 0, made.output
    kim = _signed_in(app, "kim")
    assert "MAPO-001" not in kim.text("/admin/")
    moved = runner.invoke(args=["locker", "set-admin-scope", "kim", "--districts", "Mapo-gu"])
    assert moved.exit_code == 0, moved.output
    assert kim.get("/admin/").status_code == 302
    assert "MAPO-001" in _signed_in(app, "kim").text("/admin/")
    city = runner.invoke(args=["locker", "create-admin", "lee", "--all-districts"])
    assert city.exit_code == 0 and "all districts" in city.output


def test_guessing_from_elsewhere_cannot_keep_the_owner_out(app, world):
    make_admins(app)
    attacker = AdminBrowser(app.test_client())
    away = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}
    for _ in range(PER_USERNAME):
        assert attacker.login("mapo_ops", "wrong password", **away).status_code == 401
    assert attacker.login("mapo_ops", PASSWORD, **away).status_code == 429  # the guesser is held up
    assert AdminBrowser(app.test_client()).login("mapo_ops").status_code == 302  # the owner is not
