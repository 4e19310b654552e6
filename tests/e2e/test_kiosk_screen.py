"""The touchscreen in Chromium: provisioning, codes by keypad and keyboard, rejection, lock, languages."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from tests.conftest import PEPPER, STRICT

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture says why; in CI this is an error
    if STRICT:
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)
from tests.e2e.support import deliver, return_code_for, wrong_codes

pytestmark = pytest.mark.e2e


def test_provisioning_keeps_the_token_and_drops_it_from_the_address(kiosk, live, caplog):
    caplog.set_level("INFO")
    _, world, base = live
    page = kiosk.provision()
    assert "GET /kiosk/?token=[redacted]" in caplog.text
    assert world.kiosk_token not in caplog.text
    assert page.url == f"{base}/kiosk/"
    assert page.evaluate("localStorage.getItem('locker.kiosk.token')") == world.kiosk_token
    expect(page.locator("#site-name")).to_have_text("마포구청 안심택배함")
    assert "token" not in json.dumps(page.evaluate("history.state"))

    page.goto(f"{base}/kiosk/")  # later visits need no token in the address
    expect(page.locator("#screen-home")).to_be_visible()
    expect(page.locator("#home-title")).to_have_text("무엇을 도와드릴까요?")


def test_an_unprovisioned_kiosk_says_so(kiosk):
    kiosk.page.goto(f"{kiosk.base}/kiosk/")
    expect(kiosk.page.locator("#screen-setup")).to_be_visible()
    expect(kiosk.page.locator("#screen-entry")).to_be_hidden()


def test_code_typed_on_a_keyboard_and_enter_shows_the_door(kiosk, live, sms):
    app, world, _ = live
    _, code = deliver(app, world, sms, size="M")
    page = kiosk.provision()
    page.keyboard.type(code[:3])
    page.keyboard.press("Backspace")
    page.keyboard.type(code[2:])
    expect(page.locator("#digits .filled")).to_have_count(8)
    page.keyboard.press("Enter")
    expect(page.locator("#door-label")).to_have_text("A05")
    expect(page.locator("#screen-open")).to_contain_text("택배를 꺼낸 뒤 문을 꼭 닫아 주세요.")
    # Nothing on screen says who the parcel is for.
    assert "5678" not in page.inner_text("body") and "010" not in page.inner_text("body")


def test_code_tapped_on_the_keypad_opens_the_door(kiosk, live, sms):
    app, world, _ = live
    _, code = deliver(app, world, sms)
    page = kiosk.provision()
    page.get_by_role("button", name="택배 찾기").click()
    expect(page.locator("#entry-title")).to_have_text("인증번호 8자리를 입력하세요")
    for digit in code:
        page.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="확인").click()
    expect(page.locator("#door-label")).to_have_text("A01")


def test_a_courier_return_code_works_the_same_way(kiosk, live, sms):
    app, world, _ = live
    parcel_id, _ = deliver(app, world, sms)
    code = return_code_for(app, parcel_id, PEPPER)
    page = kiosk.provision()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#door-label")).to_have_text("A01")
    expect(page.locator("#open-body")).to_have_text("반송할 택배를 꺼낸 뒤 문을 꼭 닫아 주세요.")


def test_a_wrong_code_gets_one_generic_message_and_a_way_back(kiosk):
    page = kiosk.provision()
    page.keyboard.type("12345678")
    page.keyboard.press("Enter")
    expect(page.locator("#screen-rejected")).to_be_visible()
    expect(page.locator("#screen-rejected h1")).to_have_text("인증번호를 확인할 수 없습니다")
    page.keyboard.type("4")  # typing again starts a new entry with that digit
    expect(page.locator("#screen-entry")).to_be_visible()
    expect(page.locator("#digits .filled")).to_have_count(1)


def test_short_codes_are_not_sent(kiosk, live):
    app, _, _ = live
    page = kiosk.provision()
    page.keyboard.type("1234")
    page.keyboard.press("Enter")
    expect(page.locator("#entry-warning")).to_have_text("8자리를 모두 입력해 주세요")
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM keypad_failures")) == 0
        db.session.rollback()


def test_the_locked_keypad_counts_down_and_comes_back(kiosk, live):
    app, world, _ = live
    assert wrong_codes(app, world, 5) == [403] * 5
    page = kiosk.provision(clock=True)
    page.keyboard.type("00000000")
    page.keyboard.press("Enter")
    expect(page.locator("#screen-locked")).to_be_visible()
    expect(page.locator("#countdown")).to_have_text("1:00")
    expect(page.locator("#locked-title")).to_have_text("잠시 후 다시 시도해 주세요")
    expect(page.locator("#locked-body")).to_contain_text("잠시 멈췄습니다")
    page.clock.run_for(15_000)
    expect(page.locator("#countdown")).to_have_text("0:45")
    page.keyboard.type("1")  # the keypad stays paused
    expect(page.locator("#screen-locked")).to_be_visible()
    page.clock.run_for(46_000)
    expect(page.locator("#screen-home")).to_be_visible()  # the pause is over (and 30 s passed without a touch)


def test_an_admin_lock_says_the_operator_was_alerted(kiosk, live, clock):
    app, _, _ = live
    with app.app_context():
        db.session.execute(sa.text(
            "INSERT INTO keypad_states (site_id, streak_after_id, window_after_id, locked_at) "
            "SELECT id, 0, 0, :at FROM sites WHERE code = 'MAPO-001'"), {"at": clock().replace(tzinfo=None)})
        db.session.commit()
    page = kiosk.provision()
    page.keyboard.type("00000000")
    page.keyboard.press("Enter")
    expect(page.locator("#locked-title")).to_have_text("키패드가 잠겼습니다")
    expect(page.locator("#locked-body")).to_contain_text("관리자에게 알렸으며")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^[45]:\d\d$"))


def test_english_switch_and_back_to_korean_after_30_seconds_idle(kiosk):
    page = kiosk.provision(clock=True)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#home-title")).to_have_text("What would you like to do?")
    page.keyboard.type("8")
    expect(page.locator("#entry-title")).to_have_text("Enter your 8-digit code")
    page.keyboard.type("7654321")
    page.keyboard.press("Enter")
    expect(page.locator("#screen-rejected")).to_be_visible()
    expect(page.locator("#screen-rejected h1")).to_have_text("The code was not accepted")
    page.keyboard.press("Enter")
    expect(page.locator("#screen-entry")).to_be_visible()
    page.keyboard.type("123")
    expect(page.locator("#digits .filled")).to_have_count(3)
    expect(page.get_by_role("button", name="한국어")).to_be_visible()

    page.clock.run_for(31_000)
    expect(page.locator("#home-title")).to_have_text("무엇을 도와드릴까요?")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.keyboard.type("5")  # the digits typed before are forgotten
    expect(page.locator("#digits .filled")).to_have_count(1)


def test_the_door_screen_goes_back_to_the_start_after_30_seconds(kiosk, live, sms):
    app, world, _ = live
    _, code = deliver(app, world, sms)
    page = kiosk.provision(clock=True)
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#door-label")).to_have_text("A01")
    page.clock.run_for(29_000)
    expect(page.locator("#screen-open")).to_be_visible()
    page.clock.run_for(2_000)
    expect(page.locator("#screen-home")).to_be_visible()


def test_a_site_that_asks_for_the_phone_suffix_gets_a_second_step(kiosk, live, sms):
    app, world, _ = live
    with app.app_context():
        db.session.execute(sa.text("UPDATE sites SET require_phone_suffix = true WHERE code = 'MAPO-001'"))
        db.session.commit()
    _, code = deliver(app, world, sms)
    page = kiosk.provision()
    expect(page.locator("#site-name")).to_have_text("마포구청 안심택배함")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#entry-title")).to_have_text("휴대폰 번호 뒤 4자리를 입력하세요")
    expect(page.locator("#digits .digit")).to_have_count(4)
    page.keyboard.type("5678")
    page.keyboard.press("Enter")
    expect(page.locator("#door-label")).to_have_text("A01")


def test_fee_due_waits_for_the_card_terminal_then_opens(kiosk, live, sms):
    """The server's 402 comes from another change; here the answer is staged to drive the screen."""
    page = kiosk.page
    page.add_init_script(
        "window.lockerDevice = { pay: (fee) => new Promise((ok) => { window.paid = fee; "
        "window.finishPayment = () => ok('PAY-REF-1'); }) };"
    )
    sent: list[dict] = []

    def pickup(route):
        body = json.loads(route.request.post_data or "{}")
        sent.append(body)
        if "payment_reference" not in body:
            route.fulfill(status=402, content_type="application/problem+json",
                          body=json.dumps({"type": "payment-required", "title": "A fee is due", "status": 402,
                                           "amount": 2000, "currency": "KRW"}))
        else:
            route.fulfill(status=200, content_type="application/json",
                          body=json.dumps({"compartments": ["A07"], "fee_due": 0,
                                           "parcels": [{"compartment": "A07", "size": "M", "action": "pickup"}]}))

    page.route("**/kiosk/v1/pickup", pickup)
    kiosk.provision(clock=True)
    page.keyboard.type("11223344")
    page.keyboard.press("Enter")
    expect(page.locator("#fee-amount")).to_have_text("₩2,000")
    expect(page.locator("#fee-body")).to_have_text("카드를 결제 단말기에 대거나 꽂아 주세요.")
    assert page.evaluate("window.paid") == {"amount": 2000, "currency": "KRW"}
    page.clock.run_for(45_000)  # a slow terminal does not send the resident back to the start
    expect(page.locator("#screen-fee")).to_be_visible()
    page.evaluate("window.finishPayment()")
    expect(page.locator("#door-label")).to_have_text("A07")
    assert sent == [{"code": "11223344"}, {"code": "11223344", "payment_reference": "PAY-REF-1"}]


def test_remote_open_is_handed_to_the_controller_and_acknowledged(kiosk, live, clock):
    app, _, _ = live
    from locker_app.services.kiosk_commands import queue_remote_open

    with app.app_context():
        site_id = db.session.scalar(sa.text("SELECT id FROM sites WHERE code = 'MAPO-001'"))
        queue_remote_open(db.session, clock(), site_id, "A04", "resident locked out", "admin:1")
        db.session.commit()
    page = kiosk.page
    page.add_init_script("window.opened = []; window.lockerDevice = { openDoor: (l) => { window.opened.push(l); "
                         "return Promise.resolve(true); } };")
    kiosk.provision()
    # The page's CSP forbids eval, so poll from here rather than with wait_for_function.
    for _ in range(100):
        if page.evaluate("window.opened.length"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.opened") == ["A04"]
    with app.app_context():
        for _ in range(50):
            result = db.session.scalar(sa.text("SELECT result FROM kiosk_commands"))
            db.session.rollback()
            if result:
                break
            page.wait_for_timeout(100)
    assert result == "opened"
