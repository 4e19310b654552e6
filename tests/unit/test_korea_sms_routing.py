"""Which sender a message goes through, and the settings that say so, checked at start."""

from __future__ import annotations

import pytest

from locker_app.config import check_settings, load_settings
from locker_app.korea_sms.route import Route
from locker_app.korea_sms.routing import RoutingSender, parse_by_country
from locker_app.korea_sms.solapi_errors import PERMANENT, TEMPLATE, TEMPORARY, classify
from locker_app.korea_sms.solapi_sender import domestic_number, parse_templates
from locker_app.sms.senders import SendResult, SmsError


class Named:
    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[str] = []

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        self.sent.append(to)
        return SendResult(sid=f"{self.name}-1", status="queued", segments=1)

    def redact(self, sid: str) -> None:
        pass


def test_the_site_choice_wins_over_its_country_which_wins_over_the_default() -> None:
    twilio, solapi = Named("twilio"), Named("solapi")
    router = RoutingSender({"twilio": twilio, "solapi": solapi}, "twilio", {"KR": "solapi"})
    router.send_routed("+821011112222", "x", None, Route("delivery", "KR", "ko"))
    router.send_routed("+12125550123", "x", None, Route("delivery", "US", "en"))
    router.send_routed("+821033334444", "x", None, Route("delivery", "KR", "ko", site_sender="twilio"))
    router.send_routed("+12125550000", "x", None, Route("delivery", "US", "en", site_sender="solapi"))
    router.send("+821055556666", "x")  # no site: the default
    router.send_routed("+819012345678", "x", None, Route("delivery", "KR", "ko"))  # a Japanese phone, Korean site
    assert solapi.sent == ["+821011112222"]
    assert twilio.sent == ["+12125550123", "+821033334444", "+12125550000", "+821055556666", "+819012345678"]


def test_a_site_naming_a_sender_without_credentials_is_retried_not_rerouted() -> None:
    router = RoutingSender({"twilio": Named("twilio")}, "twilio", {})
    with pytest.raises(SmsError) as refused:
        router.send_routed("+821011112222", "x", None, Route("delivery", "KR", "ko", site_sender="solapi"))
    assert refused.value.temporary


def test_settings_are_checked_at_start(tmp_path) -> None:
    def check(**env: str) -> None:
        check_settings(load_settings(env, str(tmp_path)))

    check()  # nothing set: no domestic sender
    check(LOCKER_SMS_SENDER_BY_COUNTRY="KR=solapi", SOLAPI_API_KEY="k", SOLAPI_API_SECRET="s",
          SOLAPI_FROM_NUMBER="0212345678")
    with pytest.raises(RuntimeError, match="SOLAPI_FROM_NUMBER"):
        check(LOCKER_SMS_SENDER_BY_COUNTRY="KR=solapi", SOLAPI_API_KEY="k", SOLAPI_API_SECRET="s")
    with pytest.raises(RuntimeError, match="SOLAPI_API_KEY"):
        check(LOCKER_SMS_SENDER_BY_COUNTRY="KR=solapi")
    with pytest.raises(RuntimeError, match="CC="):
        check(LOCKER_SMS_SENDER_BY_COUNTRY="Korea=solapi")
    with pytest.raises(RuntimeError, match=r"kind\.language"):
        check(SOLAPI_KAKAO_TEMPLATES="delivery=KA01")
    with pytest.raises(RuntimeError, match="PF_ID"):
        check(SOLAPI_API_KEY="k", SOLAPI_API_SECRET="s", SOLAPI_FROM_NUMBER="02",
              SOLAPI_KAKAO_TEMPLATES="delivery.ko=T")


def test_parsing() -> None:
    assert parse_by_country("kr=SOLAPI, us=twilio") == {"KR": "solapi", "US": "twilio"}
    assert parse_templates("delivery.ko=A, resend.ko=B") == {("delivery", "ko"): "A", ("resend", "ko"): "B"}
    assert domestic_number("+821012345678") == "01012345678"


@pytest.mark.parametrize(("code", "message", "kind"), [
    ("1062", "발신번호 미등록", PERMANENT),
    ("InvalidSenderId", "", PERMANENT),
    ("3034", "알림톡 템플릿과 내용이 일치하지 않습니다", TEMPLATE),
    ("NotEnoughBalance", "잔액이 부족합니다.", TEMPORARY),
    ("UnknownError", "<html>502</html>", TEMPORARY),
    ("InvalidApiKey", "", TEMPORARY),  # configuration an operator fixes within the retries
    ("ValidationError", "수신번호 형식 오류", PERMANENT),
])
def test_refusals_are_classified_by_what_they_are_about(code: str, message: str, kind: str) -> None:
    assert classify(code, message).kind == kind
