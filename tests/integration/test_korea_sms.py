"""Korean sites send through the domestic provider (the real `solapi` SDK against tests/fakes/solapi.py), other
sites through Twilio (the real Twilio SDK against its fake): the issue's "done when", and its faults."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import relay_job
from locker_app.models import Parcel, Site
from locker_app.services import provisioning
from tests.conftest import Api, code_from, seed_world
from tests.fakes.solapi import report
from tests.fakes.solapi_fixtures import FROM, PF_ID, WEBHOOK_TOKEN, fake_solapi, solapi_config
from tests.fakes.twilio_fixtures import fake_twilio, twilio_config
from tests.integration.sms_support import deposited, events, messages

__all__ = ["fake_solapi", "fake_twilio"]

WEBHOOK = "/webhooks/solapi/status"


@pytest.fixture
def both(make_app, fake_twilio, fake_solapi):
    """An app whose default sender is Twilio and whose Korean sites send through SOLAPI."""

    def make(**extra):
        app = make_app(**{**twilio_config(fake_twilio), **solapi_config(fake_solapi), **extra})
        world = seed_world(app)
        with app.app_context():
            provisioning.create_site(db.session(), app.extensions["locker.clock"](), "NYC-001", "Bowery lockers",
                                     "S:2,M:1", country="US", tz="America/New_York", language="en",
                                     sms_name="Bowery")
            db.session.commit()
        return app, world, Api(app.test_client(), world)

    return make


def _relay(app):
    with app.app_context():
        return relay_job()


def _parcel(app, parcel_id):
    with app.app_context():
        parcel = db.session.get(Parcel, parcel_id)
        db.session.expunge_all()
        db.session.rollback()
        return parcel


def test_a_korean_deposit_goes_to_the_domestic_provider_as_lms_from_the_registered_number(both, fake_solapi,
                                                                                           fake_twilio):
    app, _, api = both()
    parcel_id = deposited(api)
    assert _relay(app) == 1
    assert len(fake_solapi.received) == 1 and fake_twilio.attempts == []
    sent = fake_solapi.received[0]
    assert sent["type"] == "LMS" and sent["autoTypeDetect"] is False  # the delivery text is more than 90 bytes
    assert sent["from"] == "0212345678" == FROM.replace("-", "")
    assert sent["to"] == "01012345678"
    assert "kakaoOptions" not in sent
    (message,) = messages(app, parcel_id)
    assert code_from(sent["text"]) and message.status == "queued"
    assert message.provider_sid == "solapi:" + sent["messageId"]
    assert fake_solapi.auth_headers[0].startswith("HMAC-SHA256 ApiKey=")


def test_a_text_that_fits_90_bytes_with_the_prefix_goes_as_sms(both, fake_solapi):
    app, _, _ = both()
    sender = app.extensions["locker.sms_sender"].senders["solapi"]
    short = "[망원] 택배 회수 완료"  # 21 bytes + 10 of "[Web발신]\n"
    sender.send("+821012345678", short)
    sender.send("+821012345678", "가" * 41)  # 92 bytes with the prefix
    assert [m["type"] for m in fake_solapi.received] == ["SMS", "LMS"]


def test_a_non_korean_site_goes_through_twilio(both, fake_solapi, fake_twilio):
    app, _, api = both()
    reserved = api.reserve(site="NYC-001", phone="(212) 555-0123")
    assert reserved.status_code == 201, reserved.get_json()
    parcel_id = reserved.get_json()["parcel_id"]
    assert api.deposit(parcel_id).status_code == 200
    assert _relay(app) == 1
    assert fake_solapi.attempts == []
    assert [m["To"] for m in fake_twilio.received] == ["+12125550123"]
    (message,) = messages(app, parcel_id)
    assert message.provider_sid.startswith("SM") and message.status == "queued"


def test_a_site_switched_to_twilio_sends_through_twilio_and_back(both, fake_solapi, fake_twilio):
    app, _, api = both()
    switched = app.test_cli_runner().invoke(args=["locker", "set-site-sender", "MAPO-001", "twilio"])
    assert switched.exit_code == 0, switched.output
    deposited(api)
    _relay(app)
    assert len(fake_twilio.received) == 1 and fake_solapi.attempts == []
    back = app.test_cli_runner().invoke(args=["locker", "set-site-sender", "MAPO-001", "default"])
    assert back.exit_code == 0, back.output
    deposited(api, phone="010-2222-3333")
    _relay(app)
    assert len(fake_twilio.received) == 1 and len(fake_solapi.received) == 1
    assert [e.detail.get("sms_sender") for e in events(app, "site.sms_sender")] == ["twilio", None]


def test_create_site_takes_a_sender(both):
    app, _, _ = both()
    made = app.test_cli_runner().invoke(args=["locker", "create-site", "SEO-001", "--name", "서초", "--compartments",
                                              "S:1", "--sms-sender", "solapi"])
    assert made.exit_code == 0, made.output
    with app.app_context():
        assert db.session.scalar(sa.select(Site.sms_sender).where(Site.code == "SEO-001")) == "solapi"


ALIMTALK = {"SOLAPI_KAKAO_PF_ID": PF_ID, "SOLAPI_KAKAO_TEMPLATES": "delivery.ko=KA01TP_DELIVERY_KO"}


def test_with_an_approved_template_the_deposit_goes_as_alimtalk_with_sms_fallback(both, fake_solapi):
    app, _, api = both(**ALIMTALK)
    parcel_id = deposited(api)
    assert _relay(app) == 1
    (sent,) = fake_solapi.received
    assert sent["type"] == "ATA" and sent["from"] == "0212345678"
    assert sent["kakaoOptions"]["pfId"] == PF_ID
    assert sent["kakaoOptions"]["templateId"] == "KA01TP_DELIVERY_KO"
    assert sent["kakaoOptions"]["disableSms"] is False  # SOLAPI resends it as SMS/LMS if Kakao cannot deliver
    assert code_from(sent["text"])
    assert messages(app, parcel_id)[0].status == "queued"


def test_a_refused_alimtalk_falls_back_to_lms_once(both, fake_solapi):
    app, _, api = both(**ALIMTALK)
    fake_solapi.behaviour = "template-rejected"
    parcel_id = deposited(api)
    assert _relay(app) == 1
    assert [m["type"] for m in fake_solapi.attempts] == ["ATA", "LMS"]
    assert [m["type"] for m in fake_solapi.received] == ["LMS"]
    assert code_from(fake_solapi.received[0]["text"])
    assert _relay(app) == 0  # nothing more goes out: one fallback, not a retry of the 알림톡
    assert len(fake_solapi.attempts) == 2
    (message,) = messages(app, parcel_id)
    assert message.status == "queued" and not _parcel(app, parcel_id).notification_failed


def test_kinds_without_a_template_go_as_sms_or_lms(both, fake_solapi):
    app, _, _ = both(**ALIMTALK)
    sender = app.extensions["locker.sms_sender"]
    from locker_app.korea_sms.route import Route

    sender.send_routed("+821012345678", "[망원] 택배 회수 완료", None, Route("return", "KR", "ko"))
    sender.send_routed("+821012345678", "[Mangwon] Parcel taken back", None, Route("delivery", "KR", "en"))
    assert [m["type"] for m in fake_solapi.received] == ["SMS", "SMS"]


def _post_reports(app, *reports, token=WEBHOOK_TOKEN):
    return app.test_client().post(f"{WEBHOOK}?token={token}", json=list(reports))


def test_delivery_reports_move_the_status_forward_only(both, fake_solapi):
    app, _, api = both()
    parcel_id = deposited(api)
    _relay(app)
    message_id = fake_solapi.received[0]["messageId"]
    assert _post_reports(app, report(message_id, "3000")).status_code == 204
    assert messages(app, parcel_id)[0].status == "sent"
    assert _post_reports(app, report(message_id, "4000")).status_code == 204
    assert messages(app, parcel_id)[0].status == "delivered"
    assert _post_reports(app, report(message_id, "3000"), report(message_id, "3040")).status_code == 204
    (message,) = messages(app, parcel_id)
    assert message.status == "delivered" and message.error_code is None
    assert not _parcel(app, parcel_id).notification_failed


def test_a_failed_delivery_report_flags_the_parcel(both, fake_solapi):
    app, _, api = both()
    parcel_id = deposited(api)
    _relay(app)
    assert _post_reports(app, report(fake_solapi.received[0]["messageId"], "3040")).status_code == 204
    (message,) = messages(app, parcel_id)
    assert (message.status, message.error_code) == ("failed", 3040)
    assert _parcel(app, parcel_id).notification_failed
    assert [e.actor for e in events(app, "sms.undelivered")] == ["solapi"]


def test_a_report_without_the_token_changes_nothing(both, fake_solapi):
    app, _, api = both()
    parcel_id = deposited(api)
    _relay(app)
    message_id = fake_solapi.received[0]["messageId"]
    assert _post_reports(app, report(message_id, "3040"), token="wrong").status_code == 403
    assert app.test_client().post(WEBHOOK, json=[report(message_id, "3040")]).status_code == 403
    assert _post_reports(app, {"not": "a report"}).status_code == 400
    assert messages(app, parcel_id)[0].status == "queued"


# --- faults: each a classified error; temporary ones are retried, permanent ones flag the parcel ---

def test_provider_down_is_retried_then_sent(both, fake_solapi, clock):
    app, _, api = both()
    fake_solapi.behaviour = "down"
    parcel_id = deposited(api)
    assert _relay(app) == 0
    (message,) = messages(app, parcel_id)
    assert message.status == "pending" and message.attempts == 1 and message.next_attempt_at > clock()
    fake_solapi.behaviour = "accept"
    clock.advance(minutes=5)
    assert _relay(app) == 1
    assert messages(app, parcel_id)[0].status == "queued"
    assert not _parcel(app, parcel_id).notification_failed


def test_provider_slow_times_out_and_is_retried(both, fake_solapi, clock):
    app, _, api = both()
    fake_solapi.behaviour = "slow"
    parcel_id = deposited(api)
    assert _relay(app) == 0  # after the SDK's 5 s
    assert messages(app, parcel_id)[0].status == "pending"
    fake_solapi.release.set()
    fake_solapi.behaviour = "accept"
    clock.advance(minutes=5)
    assert _relay(app) == 1


def test_out_of_credit_is_retried_until_topped_up(both, fake_solapi, clock):
    app, _, api = both()
    fake_solapi.behaviour = "no-credit"
    parcel_id = deposited(api)
    for _ in range(3):
        assert _relay(app) == 0
        clock.advance(hours=1)
    (message,) = messages(app, parcel_id)
    assert message.status == "pending" and message.attempts == 3
    assert not _parcel(app, parcel_id).notification_failed
    fake_solapi.behaviour = "accept"
    assert _relay(app) == 1


def test_a_rejected_sender_number_fails_the_message_and_flags_the_parcel(both, fake_solapi, clock):
    app, _, api = both()
    fake_solapi.behaviour = "sender-rejected"
    parcel_id = deposited(api)
    assert _relay(app) == 0
    (message,) = messages(app, parcel_id)
    assert (message.status, message.error_code) == ("failed", 1062)
    assert _parcel(app, parcel_id).notification_failed
    assert [e.detail.get("error_code") for e in events(app, "sms.failed")] == [1062]
    clock.advance(hours=2)
    assert _relay(app) == 0 and len(fake_solapi.attempts) == 1  # not tried again


def test_a_refused_alimtalk_whose_fallback_is_refused_too_is_classified_by_the_fallback(both, fake_solapi, clock):
    app, _, api = both(**ALIMTALK)
    fake_solapi.behaviour = "no-credit"  # refuses the 알림톡 and any fallback alike: not a template refusal
    parcel_id = deposited(api)
    assert _relay(app) == 0
    assert [m["type"] for m in fake_solapi.attempts] == ["ATA"]  # credit is not cured by another channel
    assert messages(app, parcel_id)[0].status == "pending"


def test_the_site_csv_carries_the_sender(both, tmp_path):
    import csv

    app, _, _ = both()
    runner = app.test_cli_runner()
    exported = tmp_path / "sites.csv"
    assert runner.invoke(args=["locker", "export-sites", str(exported)]).exit_code == 0
    with exported.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["sms_sender"] for row in rows} == {""}  # by country
    for row in rows:
        if row["site"] == "MAPO-002":
            row["sms_sender"] = "twilio"
    with exported.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    imported = runner.invoke(args=["locker", "import-sites", str(exported)])
    assert imported.exit_code == 0, imported.output
    with app.app_context():
        senders = dict(db.session.execute(sa.select(Site.code, Site.sms_sender)).all())
    assert senders == {"MAPO-001": None, "MAPO-002": "twilio", "NYC-001": None}
    for row in rows:
        row["sms_sender"] = "default" if row["site"] == "MAPO-002" else "fax"
    with exported.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    refused = runner.invoke(args=["locker", "import-sites", str(exported)])
    assert refused.exit_code != 0 and "sms_sender" in refused.output
    for row in rows:
        row["sms_sender"] = "default" if row["site"] == "MAPO-002" else ""
    with exported.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert runner.invoke(args=["locker", "import-sites", str(exported)]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(Site.sms_sender).where(Site.code == "MAPO-002")) is None


def test_a_resend_and_the_cost_caps_work_the_same_through_solapi(both, fake_solapi):
    import uuid

    app, _, api = both(SMS_MAX_PER_PARCEL=2)
    parcel_id = deposited(api)
    _relay(app)
    answers = [api._post(f"/api/v1/parcels/{parcel_id}/resend", None, None, uuid.uuid4().hex).status_code
               for _ in range(2)]
    assert answers == [200, 429]  # the second is over the parcel cap (2 messages): refused, as with Twilio
    _relay(app)
    assert len(fake_solapi.received) == 2
    old, new = (code_from(m["text"]) for m in fake_solapi.received)
    assert old != new and api.pickup(new).status_code == 200
