"""An admin scoped to one district sees and acts on nothing of another: every admin route (read from the
app's url_map, so a new route cannot slip past), by session and by token."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from tests.admin_support import AdminBrowser, bearer, csrf_from
from tests.integration.scope_support import (
    SEOCHO_NAME,
    SEOCHO_SITE,
    SEOCHO_TRACKING,
    TwoDistricts,
    seed_two_districts,
)

# Routes without a site, parcel or request in their path that change only the caller's own session.
OWN_SESSION_POSTS = {"admin.login", "admin.logout", "admin.end_my_sessions", "admin.api_end_my_sessions"}
# Routes about admins, not sites: a district operator is refused them (403), whatever the admin.
CITY_WIDE_ONLY = {"admin.admins_page", "admin.set_admin_scope_form", "admin.api_set_admin_scope",
                  # couriers deliver to every district: only city-wide admins manage them (walkup/admin_routes.py)
                  "admin.couriers_page", "admin.api_couriers", "admin.api_deactivate_courier", "admin.api_reset_pin",
                  "admin.deactivate_form", "admin.reset_pin_form"}
# City-wide-only forms that answer with the error page instead of going back to a page with a flash.
ERROR_PAGE_FORMS = {"admin.deactivate_form", "admin.reset_pin_form"}


@pytest.fixture
def two(app, api) -> TwoDistricts:
    return seed_two_districts(app, api)


def _values(two: TwoDistricts, app) -> dict[str, object]:
    with app.app_context():
        seocho_admin = db.session.execute(sa.text("SELECT id FROM admins WHERE username = 'seocho_ops'")).scalar()
        db.session.rollback()
    return {"site_code": SEOCHO_SITE, "label": two.seocho_label, "parcel_id": two.seocho_parcel,
            "request_id": two.seocho_request, "admin_id": seocho_admin, "courier_id": 1}


_CSRF = re.compile(r'name="csrf_token" value="[^"]+"')


def _ghosts(values: dict[str, object]) -> dict[str, object]:
    """The same kinds of value, for things that do not exist at all."""
    return {**values, "site_code": "GHOST-001", "parcel_id": "0" * 32, "request_id": 999_999, "admin_id": 999_999,
            "courier_id": 999_999}


def _as_if_real(text: str, values: dict[str, object]) -> str:
    ghosts = _ghosts(values)
    text = _CSRF.sub("csrf", text)  # Flask-WTF's tokens carry a timestamp
    for key in ("site_code", "parcel_id", "request_id", "admin_id"):
        text = text.replace(str(ghosts[key]), str(values[key]))
    return text


def _admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.") and r.endpoint != "admin.static"]


def _leaks(text: str, two: TwoDistricts) -> list[str]:
    return [s for s in (SEOCHO_SITE, SEOCHO_NAME, SEOCHO_TRACKING, two.seocho_parcel) if s in text]


def _seocho_untouched(app, two: TwoDistricts) -> None:
    with app.app_context():
        q = lambda sql: db.session.execute(sa.text(sql), {"site": SEOCHO_SITE}).scalar()  # noqa: E731
        site_id = "(SELECT id FROM sites WHERE code = :site)"
        assert q(f"SELECT count(*) FROM kiosk_commands WHERE site_id = {site_id}") == 0
        assert q(f"SELECT count(*) FROM compartments WHERE site_id = {site_id} AND NOT in_service") == 0
        assert q("SELECT state FROM open_requests") == "pending"
        assert q("SELECT count(*) FROM events WHERE actor = (SELECT 'admin:' || id FROM admins "
                 "WHERE username = 'mapo_ops') AND (site_id = " + site_id + " OR action = 'admin.exported' "
                 "AND CAST(detail AS TEXT) LIKE '%SEOCHO%')") == 0
        assert q("SELECT count(*) FROM messages WHERE kind = 'resend'") == 0
        assert q("SELECT count(*) FROM admin_districts WHERE district = 'Seocho-gu'") == 2  # nobody re-scoped
        db.session.rollback()


@pytest.mark.parametrize("via", ["session", "token"])
def test_a_one_district_admin_reaches_nothing_of_another_district(app, api, two, via):
    values = _values(two, app)
    browser = AdminBrowser(app.test_client())
    assert browser.login("mapo_ops").status_code == 302
    headers = bearer(two.tokens["mapo_ops"]) if via == "token" else {}
    client = browser.client if via == "session" else app.test_client()
    checked = 0
    for rule in _admin_rules(app):
        api_route = rule.rule.startswith("/admin/api/")
        if via == "token" and not api_route:
            continue  # admin tokens open only the JSON API (test_admin_access)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "POST" and not rule.arguments:
                assert rule.endpoint in OWN_SESSION_POSTS, f"classify {rule.endpoint}: what may it reach?"
                continue
            path = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
            extra: dict[str, object] = {}
            if method == "POST":
                if via == "session":
                    token = csrf_from(browser.text("/admin/account"))
                    extra = ({"json": {"reason": "scope test", "category": "other", "districts": ["Seocho-gu"]},
                              "headers": {"X-CSRF-Token": token}} if api_route else
                             {"data": {"reason": "scope test", "category": "other", "districts": "Seocho-gu",
                                       "csrf_token": token}})
                else:
                    extra = {"json": {"reason": "scope test", "category": "other", "districts": ["Seocho-gu"]},
                             "headers": headers}
            elif via == "token":
                extra = {"headers": headers}
            queries = [""] if rule.arguments else ["", f"?site={SEOCHO_SITE}", f"?parcel={two.seocho_parcel}"]
            for query in queries:
                answer = client.open(path + query, method=method, **extra)
                text = answer.get_data(as_text=True)
                where = f"{method} {path}{query} ({rule.endpoint}, by {via})"
                if rule.endpoint in CITY_WIDE_ONLY:
                    redirects = method == "POST" and not api_route and rule.endpoint not in ERROR_PAGE_FORMS
                    assert answer.status_code == (302 if redirects else 403), where
                elif rule.arguments:
                    # A form post goes back to its page with the error shown, as for a site that does not exist.
                    expected = {404} if api_route or method == "GET" else {302}
                    assert answer.status_code in expected, (where, answer.status_code, text[:300])
                    # Exactly what a site, parcel or request that does not exist answers.
                    ghost_path = rule.build({k: _ghosts(values)[k] for k in rule.arguments}, append_unknown=False)[1]
                    ghost = client.open(ghost_path, method=method, **extra)
                    same = _as_if_real(ghost.get_data(as_text=True), values) == _CSRF.sub("csrf", text)
                    assert ghost.status_code == answer.status_code and same, where
                    for key in rule.arguments:  # the caller's own words, echoed
                        text = text.replace(str(values[key]), "")
                else:
                    assert answer.status_code in (200, 404) or rule.endpoint == "admin.login", (where, text[:300])
                    if query:  # a filter the caller typed is shown back in the form and the pager's links
                        text = text.replace(query.split("=", 1)[1], "")
                assert not _leaks(text, two), (where, _leaks(text, two))
                checked += 1
                if method == "POST" and not api_route:
                    browser.text("/admin/account")  # shows (and so drops) the flashed error, the caller's words
    assert checked > (20 if via == "token" else 40)
    _seocho_untouched(app, two)


def test_the_same_pages_show_the_other_district_to_a_city_wide_admin(app, api, two):
    """The walk above would pass on empty pages; these show Seocho's data to someone who may see it."""
    city = AdminBrowser(app.test_client())
    assert city.login("city").status_code == 302
    for path in ("/admin/", "/admin/parcels", "/admin/events", "/admin/messages", "/admin/open-requests",
                 "/admin/api/occupancy", "/admin/api/parcels", "/admin/api/events.csv", "/admin/api/messages.csv",
                 f"/admin/sites/{SEOCHO_SITE}", f"/admin/parcels/{two.seocho_parcel}"):
        assert _leaks(city.text(path), two), path
    mapo = AdminBrowser(app.test_client())
    assert mapo.login("mapo_ops").status_code == 302
    assert "MAPO-001" in mapo.text("/admin/") and "MAPO555000" in mapo.text("/admin/parcels")


def test_districts_choice_and_site_list_show_only_the_scope(app, api, two):
    mapo = AdminBrowser(app.test_client())
    mapo.login("mapo_ops")
    page = mapo.text("/admin/")
    assert "Mapo-gu" in page and "Seocho-gu" not in page
    assert [s["site"] for s in mapo.client.get("/admin/api/occupancy").get_json()["sites"]] == ["MAPO-001",
                                                                                                "MAPO-002"]


@pytest.mark.parametrize("username", ["mapo_ops", "mapo_viewer"])
def test_every_admin_page_works_inside_the_scope(app, api, two, username):
    """The scope's filter must not break a page for what the admin may see (aliases, subqueries, joins)."""
    browser = AdminBrowser(app.test_client())
    assert browser.login(username).status_code == 302
    values = {"site_code": "MAPO-001", "label": two.mapo_label, "parcel_id": two.mapo_parcel, "request_id": 0,
              "admin_id": 0}
    for rule in _admin_rules(app):
        if "GET" not in rule.methods or {"request_id", "admin_id"} & set(rule.arguments) \
                or rule.endpoint in CITY_WIDE_ONLY:
            continue
        path = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        for query in ("", "?site=MAPO-001"):
            answer = browser.get(path + query)
            assert answer.status_code in (200, 302 if rule.endpoint == "admin.login" else 200), (path, query)
    assert "MAPO555000" in browser.text(f"/admin/parcels/{two.mapo_parcel}")
