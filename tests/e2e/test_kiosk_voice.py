"""Voice guidance in Chromium: the page's speechSynthesis calls observed (speak stubbed in the page)."""

from __future__ import annotations

import pytest

from tests.conftest import STRICT

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture says why; in CI this is an error
    if STRICT:
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)
from tests.e2e.support import SPEECH_STUB, spoken

pytestmark = pytest.mark.e2e


def test_voice_guidance_reads_each_screen_and_key_in_korean_and_english(kiosk):
    page = kiosk.page
    page.add_init_script(SPEECH_STUB)
    kiosk.provision()
    voice = page.get_by_role("button", name="음성 안내")
    expect(voice).to_have_attribute("aria-pressed", "false")
    assert spoken(page) == []  # off until asked for
    voice.click()
    expect(voice).to_have_attribute("aria-pressed", "true")
    said = spoken(page)
    assert said[-1]["lang"] == "ko-KR"
    assert said[-1]["text"].startswith("음성 안내를 켭니다. 무엇을 도와드릴까요?")
    assert "버튼: 택배 찾기" in said[-1]["text"] and "인증번호를 못 받았어요" in said[-1]["text"]
    page.keyboard.press("Tab")  # a button reached by Tab says itself
    assert spoken(page)[-1]["text"] == "택배 찾기 문자로 받은 인증번호 입력"

    page.get_by_role("button", name="택배 찾기").click()
    assert spoken(page)[-1]["text"].startswith("인증번호 8자리를 입력하세요")
    assert "숫자 키패드" in spoken(page)[-1]["text"]
    page.get_by_role("button", name="4", exact=True).click()
    page.keyboard.press("7")
    # The code's digits are not said aloud, only how many there are.
    assert [u["text"] for u in spoken(page)[-2:]] == ["입력, 1자리", "입력, 2자리"]
    page.keyboard.press("Backspace")
    assert spoken(page)[-1]["text"] == "지우기"

    page.get_by_role("button", name="English").click()
    last = spoken(page)[-1]
    assert last["lang"] == "en-US" and last["text"].startswith("Enter your 8-digit code")

    page.get_by_role("button", name="Back to start").click()
    page.get_by_role("button", name="I didn't get my code").click()
    assert spoken(page)[-1]["text"].startswith("Enter the mobile number your parcel text goes to")
    page.keyboard.type("010")
    # A phone number's digits are read back as they are typed.
    assert [u["text"] for u in spoken(page)[-3:]] == ["0", "1", "0"]

    page.get_by_role("button", name="Voice guide").click()
    assert spoken(page)[-1]["text"] == "Voice guidance off."
    count = len(spoken(page))
    page.keyboard.type("12")
    assert len(spoken(page)) == count


def test_without_voices_the_page_offers_no_voice_guidance(kiosk):
    kiosk.page.add_init_script("speechSynthesis.getVoices = () => [];")
    page = kiosk.provision()
    expect(page.locator("#voice-switch")).to_be_hidden()
    expect(page.get_by_role("button", name="낮은 화면")).to_be_visible()
