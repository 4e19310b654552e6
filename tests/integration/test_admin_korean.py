"""The admin in Korean: every page a signed-in admin can open renders with no English left on it, and the
catalogue that says so is complete and compiled."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.admin_support import AdminBrowser, create_admins

TRANSLATIONS = Path(__file__).resolve().parents[2] / "locker_app" / "translations"
# Words that are names, not language: formats, units, sizes, the zone's IANA name.
ALLOWED = {"JSON", "CSV", "SMS", "KRW", "km", "XL", "Asia", "Seoul", "ID"}
_SKIP = {"script", "style", "code"}
_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class _Visible(HTMLParser):
    """Text a reader sees or hears, minus what is marked translate="no" (codes, names, numbers as data)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.words: list[str] = []

    def _hidden(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = tag in _SKIP or values.get("translate") == "no"
        void = tag in ("input", "meta", "link", "br", "img", "rect", "line")
        if not (hidden or self._hidden()):
            self.words += [str(values[a]) for a in _ATTRIBUTES if values.get(a)]
        if not void:
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag not in ("input", "meta", "link", "br", "img"):
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden() and data.strip():
            self.words.append(data)


def untranslated(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    found = []
    for text in parser.words:
        text = re.sub(r"\b[A-Z]{2,}-\d+\b", "", text)  # site codes (MAPO-001) are names
        found += [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED]
    return found


def test_the_finder_finds_english(client):
    assert untranslated("<p>재고 <b>Occupancy</b></p>") == ["Occupancy"]
    assert untranslated('<p translate="no">MAPO-001 Mapo-gu</p><input placeholder="reason">') == ["reason"]


@pytest.fixture
def korean(app, world, api):
    create_admins(app)
    stored = api.reserve(size="S").get_json()["parcel_id"]
    assert api.deposit(stored).status_code == 200
    api.reserve(size="M")
    api.pickup("00000000")  # a wrong code: the keypad panel shows a failure
    browser = AdminBrowser(app.test_client(), language="ko")
    response = browser.login("ops")
    assert response.status_code == 302
    disabled = browser.post_form("/admin/sites/MAPO-001/compartments/A04/disable", {"reason": "손잡이 고장"},
                                 "/admin/sites/MAPO-001")
    assert disabled.status_code == 302
    return browser, stored


def _admin_pages(app, parcel_id: str) -> list[str]:
    """Every GET page of the admin (not its JSON, CSV or static files), with real values for its parameters."""
    values = {"site_code": "MAPO-001", "parcel_id": parcel_id}
    pages = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or "GET" not in (rule.methods or ()):
            continue
        if rule.rule.startswith(("/admin/api", "/admin/static")) or rule.rule.endswith((".csv", ".json")):
            continue
        path = rule.rule
        for name in rule.arguments:
            assert name in values, f"no value for <{name}> in {rule.rule}: add one here"
            path = path.replace(f"<{name}>", values[name])
        pages.append(path)
    return pages


def test_every_admin_page_is_in_korean(app, korean):
    browser, parcel_id = korean
    pages = _admin_pages(app, parcel_id)
    assert {"/admin/", "/admin/parcels", "/admin/sites/MAPO-001", "/admin/events"} <= set(pages)
    for path in pages:
        # The sign-in page as a signed-out visitor sees it (a signed-in admin is sent on to the dashboard).
        client = app.test_client() if path == "/admin/login" else browser.client
        if path == "/admin/login":
            client.set_cookie("locker_lang", "ko")
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert '<html lang="ko">' in html, path
        assert untranslated(html) == [], path
    # The flash after an action is in Korean too.
    page = browser.text("/admin/sites/MAPO-001")
    assert "이용 현황" in page and "보관 정책" in page


def test_english_when_the_browser_or_the_admin_asks(app, korean):
    browser, _ = korean
    english = browser.client.get("/admin/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Occupancy" in english
    # The choice is remembered.
    assert "Occupancy" in browser.text("/admin/parcels") or "Parcels" in browser.text("/admin/parcels")
    fresh = app.test_client()
    assert '<html lang="en">' in fresh.get("/admin/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ko">' in fresh.get("/admin/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_the_catalogue_is_complete_and_compiled():
    with (TRANSLATIONS / "ko/LC_MESSAGES/messages.po").open("rb") as f:
        po = read_po(f)
    with (TRANSLATIONS / "ko/LC_MESSAGES/messages.mo").open("rb") as f:
        mo = read_mo(f)
    missing = [m.id for m in po if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert missing == []
    def pairs(catalog):
        def text(value):
            return "|".join(value) if isinstance(value, list | tuple) else str(value)

        return {text(m.id): text(m.string) for m in catalog if m.id}

    assert pairs(po) == pairs(mo), "the compiled catalogue is stale: run make i18n"


def test_admin_json_keeps_korean_readable(client, app, world):
    admins = create_admins(app)
    answer = client.get("/admin/api/occupancy", headers={"Authorization": f"Bearer {admins.operator_token}"})
    assert answer.status_code == 200
    assert "마포구청 안심택배함" in answer.get_data(as_text=True)
    assert "\\ub9c8" not in answer.get_data(as_text=True)


def test_seed_demo_prints_the_address_it_is_served_on(app, monkeypatch, tmp_path):
    app.instance_path = str(tmp_path)
    monkeypatch.setenv("LOCKER_DEMO_BASE_URL", "http://127.0.0.1:5055")
    printed = app.test_cli_runner().invoke(args=["locker", "seed-demo"]).output
    assert "http://127.0.0.1:5055/kiosk/?token=" in printed and "http://127.0.0.1:5055/admin/" in printed
    assert ":5000" not in printed


def test_an_admin_s_own_language_wins_over_the_browser(app):
    create_admins(app)
    assert app.test_cli_runner().invoke(args=["locker", "set-admin-language", "ops", "en"]).exit_code == 0
    browser = AdminBrowser(app.test_client(), language="ko")
    browser.client.delete_cookie("locker_lang")
    assert browser.login("ops", headers={"Accept-Language": "ko-KR"}).status_code == 302
    page = browser.client.get("/admin/", headers={"Accept-Language": "ko-KR"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Occupancy" in page
    assert app.test_cli_runner().invoke(args=["locker", "set-admin-language", "ops", "browser"]).exit_code == 0
    page = browser.client.get("/admin/", headers={"Accept-Language": "ko-KR"}).get_data(as_text=True)
    assert '<html lang="ko">' in page
