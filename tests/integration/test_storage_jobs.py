"""Reminders, expiry and purging as the scheduler runs them, with the frozen clock."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import DB_JOBS, run_db_job
from locker_app.services.storage import send_reminders
from tests.integration.storage_helpers import events_of, rows, run_jobs, store_parcel


def reminders(sms) -> list[str]:
    return [m["body"] for m in sms.sent if "찾아가세요" in m["body"]]


def test_reminder_24_hours_after_the_deposit_goes_out_once(app, api, sms, clock):
    parcel_id, code = store_parcel(app, api, sms)
    clock.advance(hours=23, minutes=59)
    assert run_jobs(app)["send-reminders"] == 0
    clock.advance(minutes=1)
    assert run_jobs(app)["send-reminders"] == 1
    clock.advance(minutes=5)
    assert run_jobs(app)["send-reminders"] == 0

    assert len(reminders(sms)) == 1
    body = reminders(sms)[0]
    assert sms.sent[-1]["to"] == "+821012345678"
    assert body == ("[마포구청 안심택배] 11/24 14:05 도착한 택배를 찾아가세요. 무료 보관 11/26 14:05까지, "
                    "현재 보관료 없음. 12/01 14:05 이후 반송됩니다. 인증번호는 도착 문자를 확인하세요.")
    assert code not in body
    assert events_of(app, parcel_id).count("parcel.reminded") == 1


def test_second_reminder_6_hours_before_the_free_period_ends(app, api, sms, clock):
    store_parcel(app, api, sms)
    clock.advance(hours=24)
    run_jobs(app)
    clock.advance(hours=17, minutes=59)  # 41:59 after the deposit
    assert run_jobs(app)["send-reminders"] == 0
    clock.advance(minutes=1)
    assert run_jobs(app)["send-reminders"] == 1
    clock.advance(hours=1)
    assert run_jobs(app)["send-reminders"] == 0
    assert len(reminders(sms)) == 2


def test_after_an_outage_one_sms_covers_both_reminders(app, api, sms, clock):
    parcel_id, _ = store_parcel(app, api, sms)
    clock.advance(hours=43)  # the scheduler was down from before 24 h until after 42 h
    assert run_jobs(app)["send-reminders"] == 1
    clock.advance(hours=1)
    assert run_jobs(app)["send-reminders"] == 0
    assert len(reminders(sms)) == 1
    marks = rows(app, "SELECT reminder_sent_at, free_end_reminder_sent_at FROM parcels WHERE id = :p", p=parcel_id)
    assert marks[0].reminder_sent_at is not None and marks[0].free_end_reminder_sent_at is not None


def test_a_reminder_says_what_is_owed(app, api, sms, clock):
    with app.app_context():
        db.session.execute(sa.text("UPDATE sites SET free_hours = 12, language = 'en' WHERE code = 'MAPO-001'"))
        db.session.commit()
    store_parcel(app, api, sms)
    clock.advance(hours=37)  # the free 12 h ended 25 h ago: two started days
    assert run_jobs(app)["send-reminders"] == 1
    assert sms.sent[-1]["body"] == (
        "[마포구청 안심택배] From 11/24 14:05: collect by 12/01 14:05. Free until 11/25 02:05, fee now KRW 2,000. "
        "Code in delivery SMS.")


def test_no_reminder_for_a_parcel_already_picked_up(app, api, sms, clock):
    _, code = store_parcel(app, api, sms)
    clock.advance(hours=2)
    assert api.pickup(code).status_code == 200
    clock.advance(hours=30)
    assert run_jobs(app)["send-reminders"] == 0
    assert reminders(sms) == []


def test_reminders_can_be_turned_off_per_site(app, api, sms, clock):
    with app.app_context():
        db.session.execute(sa.text("UPDATE sites SET reminder_after_hours = 0, reminder_before_free_end_hours = 0"))
        db.session.commit()
    store_parcel(app, api, sms)
    clock.advance(hours=47)
    assert run_jobs(app)["send-reminders"] == 0


def test_expiry_after_7_days_voids_the_code_texts_the_resident_and_lists_it_for_the_carrier(app, api, sms, clock):
    parcel_id, code = store_parcel(app, api, sms)
    clock.advance(days=7, seconds=-1)
    assert run_jobs(app)["expire-parcels"] == 0
    clock.advance(seconds=1)
    done = run_jobs(app)
    assert done["expire-parcels"] == 1 and done["send-reminders"] == 0
    assert run_jobs(app)["expire-parcels"] == 0

    parcel = api.get(parcel_id).get_json()
    assert parcel["state"] == "expired" and parcel["expired_at"] == "2026-12-01T05:05:00Z"
    assert sms.sent[-1]["to"] == "+821012345678"
    assert sms.sent[-1]["body"] == (
        "[마포구청 안심택배] 11/24 14:05 도착한 택배의 보관기간이 지나 발송처로 반송됩니다. "
        "인증번호는 더 이상 쓸 수 없습니다.")
    refused = api.pickup(code, payment_reference="VAN-1")
    assert refused.status_code == 403 and refused.get_json()["type"] == "code-rejected"

    courier = {"Authorization": f"Bearer {api.world.courier_token}"}
    listed = api.client.get("/api/v1/returns", headers=courier).get_json()["parcels"]
    assert [p["parcel_id"] for p in listed] == [parcel_id]
    assert api.client.get("/api/v1/returns?site=MAPO-002", headers=courier).get_json()["parcels"] == []
    other = {"Authorization": f"Bearer {api.world.other_courier_token}"}
    assert api.client.get("/api/v1/returns", headers=other).get_json()["parcels"] == []
    # The compartment stays taken until the courier has the parcel back.
    assert "parcel.expired" in events_of(app, parcel_id)


def test_purge_forgets_phone_numbers_and_texts_after_30_days_but_keeps_the_statistics(app, api, sms, clock):
    picked_id, code = store_parcel(app, api, sms)
    kept_id, _ = store_parcel(app, api, sms, phone="010-9876-5432")
    assert api.pickup(code).status_code == 200
    clock.advance(days=30, minutes=-1)
    assert run_jobs(app)["purge-personal-data"] == 0

    clock.advance(minutes=1)
    assert run_jobs(app)["purge-personal-data"] == 1
    assert run_jobs(app)["purge-personal-data"] == 0
    picked = rows(app, "SELECT recipient_phone, state, picked_up_at, personal_data_purged_at FROM parcels "
                       "WHERE id = :p", p=picked_id)[0]
    assert picked.recipient_phone is None and picked.state == "picked_up" and picked.picked_up_at is not None
    assert picked.personal_data_purged_at is not None
    message = rows(app, "SELECT to_phone, body, status, kind, segments FROM messages WHERE parcel_id = :p",
                   p=picked_id)[0]
    assert (message.to_phone, message.body) == (None, None)
    assert (message.status, message.kind, message.segments) == ("queued", "delivery", 2)
    assert "parcel.personal_data_purged" in events_of(app, picked_id)

    # The expired parcel waits for its courier: its data stays for 30 days after it expired.
    kept = rows(app, "SELECT recipient_phone, state FROM parcels WHERE id = :p", p=kept_id)[0]
    assert kept.state == "expired" and kept.recipient_phone == "+821098765432"
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).all():
                assert all("1012345678" not in str(value) for value in row), table.name


def test_an_expired_parcel_never_taken_back_forgets_its_phone_after_the_retention_period(app, api, sms, clock):
    parcel_id, _ = store_parcel(app, api, sms)
    clock.advance(days=10)
    run_jobs(app)
    expired = rows(app, "SELECT state, expired_at FROM parcels WHERE id = :p", p=parcel_id)[0]
    assert expired.state == "expired"
    clock.advance(days=29)
    assert run_jobs(app)["purge-personal-data"] == 0
    clock.advance(days=1)
    assert run_jobs(app)["purge-personal-data"] == 1
    parcel = rows(app, "SELECT recipient_phone, state, personal_data_purged_at FROM parcels WHERE id = :p",
                  p=parcel_id)[0]
    assert parcel.recipient_phone is None and parcel.state == "expired" and parcel.personal_data_purged_at
    assert all(m.to_phone is None and m.body is None
               for m in rows(app, "SELECT to_phone, body FROM messages WHERE parcel_id = :p", p=parcel_id))
    # The carrier can still take it back.
    answer = api.client.post(f"/api/v1/parcels/{parcel_id}/return", headers={
        "Authorization": f"Bearer {api.world.courier_token}", "Idempotency-Key": "return-after-purge"})
    assert answer.status_code == 200, answer.get_json()


def test_the_retention_period_comes_from_the_configuration(make_app, clock, sms):
    from tests.conftest import Api, seed_world

    app = make_app(RETENTION_DAYS=2)
    api = Api(app.test_client(), seed_world(app))
    parcel_id = api.reserve().get_json()["parcel_id"]
    assert api.cancel(parcel_id).status_code == 200
    clock.advance(days=2, minutes=-1)
    assert run_jobs(app)["purge-personal-data"] == 0
    clock.advance(minutes=1)
    assert run_jobs(app)["purge-personal-data"] == 1
    assert rows(app, "SELECT recipient_phone FROM parcels")[0].recipient_phone is None


def test_every_job_is_a_function_of_session_and_time_and_records_its_work(app, api, sms, clock):
    parcel_id, _ = store_parcel(app, api, sms)
    clock.advance(hours=25)
    with app.app_context():
        assert send_reminders(db.session(), clock() - timedelta(hours=2)) == 0  # as of an earlier time
        db.session.rollback()
        job = next(j for j in DB_JOBS if j.name == "send-reminders")
        assert run_db_job(job, clock()) == 1
    actors = rows(app, "SELECT actor FROM events WHERE action = 'parcel.reminded' AND parcel_id = :p", p=parcel_id)
    assert [a.actor for a in actors] == ["scheduler"]
    assert {j.name for j in DB_JOBS} >= {"release-reservations", "expire-parcels", "send-reminders",
                                         "purge-personal-data"}
