"""The touchscreen's walk-up side in Chromium against the real service: the courier's loop, pickup only,
the lost code, a problem report; in Korean and English."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from tests.conftest import STRICT, Api, code_from

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture says why; in CI this is an error
    if STRICT:
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)
from tests.e2e.support import courier_with_pin, deliver, enter, relay

pytestmark = pytest.mark.e2e

COURIER_PHONE = "010-9876-5432"
RECIPIENT = "010-2222-3333"


def sign_in(page, pin: str, phone: str = COURIER_PHONE) -> None:
    page.keyboard.type(phone.replace("-", ""))
    expect(page.locator("#form-value")).to_have_text(phone)
    page.keyboard.press("Enter")
    page.keyboard.type(pin)
    expect(page.locator("#form-value")).to_have_text("●" * 6)  # a PIN is never shown
    page.keyboard.press("Enter")


WORDS = {
    "ko": {"deliver": "택배 보관", "recipient": "받는 분 휴대폰 번호를 입력하세요", "skip": "건너뛰기"},
    "en": {"deliver": "Deliver a parcel", "recipient": "Enter the recipient's mobile number", "skip": "Skip"},
}


def signed_in_for_a_delivery(page, pin: str, lang: str = "ko") -> None:
    """From the start screen to the recipient's number, the courier signed in."""
    if lang == "en":
        page.get_by_role("button", name="English").click()
    page.get_by_role("button", name=WORDS[lang]["deliver"]).click()
    sign_in(page, pin)
    expect(page.locator("#form-title")).to_have_text(WORDS[lang]["recipient"])


def to_a_small_door(page, lang: str = "ko") -> None:
    """From the recipient's number: RECIPIENT, no tracking number, the small size (the deposit follows)."""
    enter(page, RECIPIENT.replace("-", ""))
    page.get_by_role("button", name=WORDS[lang]["skip"]).click()
    page.locator("button[data-size=S]").click()


def sms_to(sms, number: str) -> list[dict]:
    return [m for m in sms.sent if m["to"] == number]


def test_a_courier_signs_in_deposits_and_the_code_then_picks_the_parcel_up(kiosk, live, sms):
    app, _, _ = live
    pin, token = courier_with_pin(app)
    page = kiosk.provision()
    page.get_by_role("button", name="택배 보관").click()
    expect(page.locator("#form-title")).to_have_text("택배기사 휴대폰 번호를 입력하세요")
    sign_in(page, pin)

    expect(page.locator("#form-title")).to_have_text("받는 분 휴대폰 번호를 입력하세요")
    expect(page.locator("#form-hint")).to_contain_text("Park")
    page.keyboard.type("0101234")
    page.keyboard.press("Enter")  # not a mobile number yet: guidance, nothing sent
    expect(page.locator("#form-warning")).to_have_text("휴대폰 번호(010-0000-0000)를 확인해 주세요")
    for _ in range(7):
        page.keyboard.press("Backspace")
    page.keyboard.type(RECIPIENT.replace("-", ""))
    page.keyboard.press("Enter")

    expect(page.locator("#form-title")).to_have_text("운송장 번호 (선택)")
    page.keyboard.type("cj6001234567")  # a barcode scanner types like a keyboard, then Enter
    expect(page.locator("#form-value")).to_have_text("CJ6001234567")
    page.keyboard.press("Enter")

    expect(page.locator("#screen-size")).to_be_visible()
    expect(page.locator("#size-hint")).to_have_text("받는 분 010-****-3333")
    expect(page.locator("button[data-size=S]")).to_contain_text("4칸 남음")
    expect(page.locator("button[data-size=XL]")).to_contain_text("1칸 남음")
    page.locator("button[data-size=S]").click()

    expect(page.locator("#screen-deposit")).to_be_visible()
    expect(page.locator("#deposit-label")).to_have_text("A01")
    expect(page.locator("#deposit-body")).to_have_text("택배를 넣고 문을 닫아 주세요.")
    relay(app)
    assert sms_to(sms, "+821022223333") == []  # nothing goes out before the door is closed
    page.get_by_role("button", name="문을 닫았어요").click()

    expect(page.locator("#notice-title")).to_have_text("보관되었습니다")
    expect(page.locator("#notice-label")).to_have_text("A01")
    relay(app)
    [message] = sms_to(sms, "+821022223333")
    code = code_from(message["body"])

    # The parcel is the courier's carrier's, like any other.
    parcels = app.test_client().get("/api/v1/parcels", headers={"Authorization": f"Bearer {token}"}).get_json()
    [parcel] = [p for p in parcels["parcels"] if p["compartment"] == "A01"]
    assert parcel["state"] == "stored" and parcel["tracking_number"] == "CJ6001234567"

    page.get_by_role("button", name="다음 택배").click()  # the session goes on
    expect(page.locator("#form-title")).to_have_text("받는 분 휴대폰 번호를 입력하세요")
    page.get_by_role("button", name="마치기").click()
    expect(page.locator("#screen-home")).to_be_visible()

    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#door-label")).to_have_text("A01")


def test_in_english_a_wrong_pin_then_a_parcel_that_does_not_fit_gets_a_larger_size(kiosk, live, sms):
    app, _, _ = live
    pin, _ = courier_with_pin(app)
    page = kiosk.provision()
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Deliver a parcel").click()
    sign_in(page, "000000" if pin != "000000" else "111111")
    expect(page.locator("#notice-title")).to_have_text("The number or PIN is not right")
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("#form-title")).to_have_text("Enter your 6-digit PIN")
    page.keyboard.type(pin)
    page.keyboard.press("Enter")

    expect(page.locator("#form-title")).to_have_text("Enter the recipient's mobile number")
    to_a_small_door(page, "en")
    expect(page.locator("#deposit-label")).to_have_text("A01")
    page.get_by_role("button", name="It does not fit").click()

    expect(page.locator("#size-hint")).to_have_text("Choose a size larger than S.")
    expect(page.locator("button[data-size=S]")).to_be_disabled()
    expect(page.locator("button[data-size=M]")).to_contain_text("3 free")
    page.locator("button[data-size=M]").click()
    expect(page.locator("#deposit-label")).to_have_text("A05")
    page.get_by_role("button", name="Door closed").click()
    expect(page.locator("#notice-title")).to_have_text("Parcel stored")
    with app.app_context():
        states = dict(db.session.execute(sa.text(
            "SELECT c.label, p.state FROM parcels p JOIN compartments c ON c.id = p.compartment_id")).all())
        db.session.rollback()
    assert states == {"A01": "cancelled", "A05": "stored"}  # the S compartment was given back
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("#screen-home")).to_be_visible()


def test_a_full_site_says_pickup_only_and_points_to_nearby_sites(kiosk, live):
    app, world, _ = live
    api = Api(app.test_client(), world)
    for _ in range(10):
        assert api.reserve(size="S").status_code == 201
    page = kiosk.provision()
    expect(page.locator("#home-banner")).to_have_text("모든 보관함 이용 중, 찾기만 가능")
    expect(page.locator("#home-deliver")).to_contain_text("빈 보관함 없음")
    page.get_by_role("button", name="택배 보관").click()
    expect(page.locator("#notice-title")).to_have_text("모든 보관함 이용 중, 찾기만 가능")
    expect(page.locator("#notice-list li").first).to_contain_text("망원동 안심택배함 (MAPO-002)")
    page.get_by_role("button", name="English").click()
    expect(page.locator("#notice-title")).to_have_text("All compartments in use: pickup only")
    page.get_by_role("button", name="Back to start").click()
    expect(page.locator("#home-banner")).to_have_text("All compartments in use: pickup only")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_lost_code_gets_one_answer_and_only_a_waiting_parcel_gets_a_new_code(kiosk, live, sms, lang):
    app, world, _ = live
    _, old_code = deliver(app, world, sms, phone="010-1234-5678")
    before = len(sms.sent)
    page = kiosk.provision()
    if lang == "en":
        page.get_by_role("button", name="English").click()
    texts = []
    for number in ("01055556666", "01012345678"):
        page.get_by_role("button", name={"ko": "인증번호를 못 받았어요", "en": "I didn't get my code"}[lang]).click()
        page.keyboard.type(number)
        page.keyboard.press("Enter")
        expect(page.locator("#screen-notice")).to_be_visible()
        texts.append(page.inner_text("#screen-notice"))
        page.get_by_role("button", name={"ko": "처음으로", "en": "Back to start"}[lang]).click()
    assert texts[0] == texts[1]
    assert {"ko": "이 번호로 기다리는 택배가 있으면 새 인증번호를 문자로 보내 드립니다",
            "en": "If a parcel is waiting for this number, a new code is on its way"}[lang] in texts[0]
    relay(app)
    new = sms.sent[before:]
    assert [m["to"] for m in new] == ["+821012345678"]
    new_code = code_from(new[0]["body"])
    assert new_code != old_code
    page.keyboard.type(new_code)
    page.keyboard.press("Enter")
    expect(page.locator("#door-label")).to_have_text("A01")


def test_the_form_screens_own_keypad_taps_and_is_translated(kiosk):
    """The other tests type the form screen's numbers on a keyboard; its on-screen keys are a copy made by the
    page (js/keypad.js), so they are tapped here, in both languages."""
    page = kiosk.provision()
    page.get_by_role("button", name="인증번호를 못 받았어요").click()
    keys = page.locator("#form-keypad")
    expect(keys).to_have_attribute("aria-label", "숫자 키패드")
    for digit in "01012345679":
        keys.get_by_role("button", name=digit, exact=True).click()
    keys.get_by_role("button", name="한 자리 지우기").click()
    keys.get_by_role("button", name="8", exact=True).click()
    expect(page.locator("#form-value")).to_have_text("010-1234-5678")
    page.get_by_role("button", name="English").click()
    expect(keys).to_have_attribute("aria-label", "Number keypad")
    expect(keys.get_by_role("button", name="Delete one digit")).to_be_visible()
    keys.get_by_role("button", name="OK", exact=True).click()
    expect(page.locator("#screen-notice")).to_contain_text("If a parcel is waiting for this number")

def test_a_problem_reported_after_a_pickup_names_the_door(kiosk, live, sms):
    app, world, _ = live
    _, code = deliver(app, world, sms)
    page = kiosk.provision()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#door-label")).to_have_text("A01")
    page.get_by_role("button", name="문제 신고").click()
    expect(page.locator("#report-hint")).to_have_text("보관함 A01")
    page.get_by_role("button", name="택배가 파손됐어요").click()
    expect(page.locator("#notice-title")).to_have_text("신고를 받았습니다")
    with app.app_context():
        actions = db.session.scalars(sa.text("SELECT action FROM events ORDER BY id")).all()
        db.session.rollback()
    assert any("report" in action for action in actions), actions


def test_five_idle_minutes_end_the_courier_session(kiosk, live):
    app, _, _ = live
    pin, _ = courier_with_pin(app)
    page = kiosk.page
    ended = []
    page.on("request", lambda r: ended.append(r.headers.get("x-courier-session"))
            if r.method == "DELETE" and r.url.endswith("/kiosk/v1/courier/session") else None)
    kiosk.provision(clock=True)
    signed_in_for_a_delivery(page, pin)
    page.clock.run_for(60_000)  # a courier's screen outlasts the resident's 30 s
    expect(page.locator("#screen-form")).to_be_visible()
    page.clock.run_for(4 * 60_000 + 1_000)
    expect(page.locator("#screen-home")).to_be_visible()
    page.wait_for_timeout(200)
    assert len(ended) == 1 and ended[0]


def test_behind_the_agent_closing_the_door_stores_the_parcel(kiosk, live, sms):
    """The agent is staged (its status answer); the service is real. No "done" button: the door tells."""
    import json

    app, _, _ = live
    pin, _ = courier_with_pin(app)
    page = kiosk.page
    door = {"A01": "closed"}
    page.route("**/agent/v1/status", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"online": True, "last_sync": None, "doors": door})))
    kiosk.provision()
    signed_in_for_a_delivery(page, pin)
    to_a_small_door(page)
    expect(page.locator("#deposit-label")).to_have_text("A01")
    expect(page.locator("#deposit-hint")).to_have_text("문을 닫으면 자동으로 보관되고 받는 분께 문자가 갑니다.")
    expect(page.get_by_role("button", name="문을 닫았어요")).to_have_count(0)
    page.wait_for_timeout(700)  # still closed from before: the page waits for the door to open first
    expect(page.locator("#screen-deposit")).to_be_visible()
    door["A01"] = "open"
    page.wait_for_timeout(700)
    expect(page.locator("#screen-deposit")).to_be_visible()
    door["A01"] = "closed"
    expect(page.locator("#notice-title")).to_have_text("보관되었습니다")
    relay(app)
    assert len(sms_to(sms, "+821022223333")) == 1


def test_an_agent_without_the_service_turns_deliveries_away_but_not_pickups(kiosk, live, sms):
    import json

    app, world, _ = live
    _, code = deliver(app, world, sms)
    page = kiosk.page
    page.route("**/agent/v1/status", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"online": False, "last_sync": "2026-11-24T09:00:00Z", "doors": {"A01": "closed"}})))
    kiosk.provision()
    expect(page.locator("#home-deliver")).to_contain_text("서비스 연결 끊김")
    page.get_by_role("button", name="택배 보관").click()
    expect(page.locator("#notice-title")).to_have_text("지금은 택배를 보관할 수 없습니다")
    page.get_by_role("button", name="처음으로").click()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#door-label")).to_have_text("A01")


def test_through_the_real_agent_and_boards_the_door_closing_stores_the_parcel(browser, live, sms):
    """The page served by the locker agent over the board simulator: the deposit opens the board's lock,
    the page sees the door open then closed in /agent/v1/status, and only then is the parcel stored."""
    from tests.agent.support import start_agent, start_sim, unlocks, wait_for

    app, world, base = live
    pin, _ = courier_with_pin(app)
    sim, bus = start_sim()
    agent = start_agent(base, world.kiosk_token, bus)
    context = browser.new_context(viewport={"width": 540, "height": 960}, locale="ko-KR")
    try:
        page = context.new_page()
        page.goto(agent.url)
        signed_in_for_a_delivery(page, pin)
        to_a_small_door(page)
        expect(page.locator("#deposit-label")).to_have_text("A01")
        assert wait_for(lambda: unlocks(sim))  # the agent pulsed A01's lock (board 0, lock 3)
        expect(page.get_by_role("button", name="문을 닫았어요")).to_have_count(0)
        page.wait_for_timeout(1500)
        expect(page.locator("#screen-deposit")).to_be_visible()  # open: nothing stored yet
        relay(app)
        assert sms_to(sms, "+821022223333") == []
        sim.control("/boards/0/locks/3/close", {})
        expect(page.locator("#notice-title")).to_have_text("보관되었습니다", timeout=10_000)
        relay(app)
        assert len(sms_to(sms, "+821022223333")) == 1
    finally:
        context.close()
        agent.stop()
        sim.stop()


def test_five_wrong_pins_lock_the_sign_in_and_the_screen_says_for_how_long(kiosk, live):
    app, world, _ = live
    pin, _ = courier_with_pin(app)
    client = app.test_client()
    wrong = "000000" if pin != "000000" else "111111"
    for _ in range(5):  # at another kiosk, or earlier at this one
        answer = client.post("/kiosk/v1/courier/session", json={"phone": COURIER_PHONE, "pin": wrong},
                             headers={"Authorization": f"Bearer {world.other_kiosk_token}"})
        assert answer.status_code == 403
    page = kiosk.provision()
    page.get_by_role("button", name="택배 보관").click()
    sign_in(page, pin)  # even the right PIN waits now
    expect(page.locator("#notice-title")).to_have_text("로그인이 잠시 잠겼습니다")
    expect(page.locator("#notice-body")).to_have_text(
        "15분 후에 다시 시도하거나 운영사에 PIN 재발급을 요청하세요.")
    page.get_by_role("button", name="처음으로").click()
    expect(page.locator("#screen-home")).to_be_visible()


def test_a_session_the_service_ended_asks_the_courier_to_sign_in_again(kiosk, live, clock):
    app, _, _ = live
    pin, _ = courier_with_pin(app)
    page = kiosk.provision()
    signed_in_for_a_delivery(page, pin, "en")
    clock.advance(minutes=6)  # the service's idle limit passes (the page's own clock has not moved)
    to_a_small_door(page, "en")
    expect(page.locator("#notice-title")).to_have_text("Your sign-in has ended")
    page.get_by_role("button", name="Sign in again").click()
    expect(page.locator("#form-title")).to_have_text("Enter the courier's mobile number")
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM parcels")) == 0  # nothing half-done
        db.session.rollback()
