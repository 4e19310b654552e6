"""The keypad's failure budget: back-off after 5 in 24 hours, lock after 40 in 7 days, shared by every worker."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.models import Site
from locker_app.services import keypad, provisioning
from tests.conftest import Api, code_from, seed_world
from tests.integration.storage_helpers import run_jobs

WRONG = "00000000"


def _deliver(api: Api, sms) -> str:
    parcel = api.reserve(size="S").get_json()
    assert api.deposit(parcel["parcel_id"]).status_code == 200
    from locker_app.jobs import relay_job

    with api.client.application.app_context():
        relay_job()
    return code_from(sms.sent[-1]["body"])


def _events(app, action: str) -> list:
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT actor, detail FROM events WHERE action = :a"), {"a": action})
        found = rows.all()
        db.session.rollback()
        return found


def test_two_workers_share_one_budget_with_doubling_back_off(make_app, clock):
    first, second = make_app(), make_app()
    world = seed_world(first)
    workers = [Api(first.test_client(), world), Api(second.test_client(), world)]

    for attempt in range(5):
        answer = workers[attempt % 2].pickup(WRONG)
        assert answer.status_code == 403, answer.get_json()
        assert answer.get_json()["type"] == "code-rejected"

    paused = workers[1].pickup(WRONG)
    assert paused.status_code == 429
    assert paused.headers["Retry-After"] == "60"
    assert paused.headers["Content-Type"] == "application/problem+json"
    assert paused.get_json()["type"] == "keypad-locked"
    assert paused.get_json()["admin_unlock_required"] is False

    clock.advance(seconds=59)
    assert workers[0].pickup(WRONG).headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert workers[0].pickup(WRONG).status_code == 403  # the sixth failure: 120 s now
    assert workers[1].pickup(WRONG).headers["Retry-After"] == "120"
    clock.advance(seconds=120)
    assert workers[1].pickup(WRONG).status_code == 403
    assert workers[0].pickup(WRONG).headers["Retry-After"] == "240"


def test_thirty_wrong_codes_in_a_row_meet_429_within_the_first_six(api):
    answers = [api.pickup(f"{n:08d}") for n in range(30)]
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [403] * 5
    assert 429 in statuses[:6]
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers if a.status_code == 429)
    assert statuses[5:] == [429] * 25


def test_wrong_used_and_expired_codes_get_the_same_answer(app, api, sms):
    used = _deliver(api, sms)
    assert api.pickup(used).status_code == 200
    expired = _deliver(api, sms)
    with app.app_context():
        db.session.execute(sa.text("UPDATE parcels SET state = 'expired' WHERE state = 'stored'"))
        db.session.commit()
    answers = [api.pickup(code) for code in (WRONG, used, expired)]
    assert {a.status_code for a in answers} == {403}
    assert len({a.get_data() for a in answers}) == 1
    # X-Request-ID is random per request and says nothing about the code.
    assert len({tuple(sorted((k, v) for k, v in a.headers.items() if k != "X-Request-ID")) for a in answers}) == 1


def test_good_codes_and_issuing_codes_forgive_no_failure(api, sms):
    """The attack "4 wrong, 1 own, repeat": an attacker's own parcels no longer wipe his failures."""
    for _ in range(4):
        assert api.pickup(WRONG).status_code == 403
    own = _deliver(api, sms)  # issuing a new code...
    assert api.pickup(own).status_code == 200  # ...and using it forgive nothing
    assert api.pickup(WRONG).status_code == 403  # the fifth failure
    paused = api.pickup(WRONG)
    assert paused.status_code == 429 and paused.headers["Retry-After"] == "60"


def _guess_until(api: Api, clock, seconds: float) -> tuple[int, list]:
    """A guesser who waits out every pause for `seconds`: how many guesses were tried, and the 429s."""
    tried, pauses, end = 0, [], clock() + timedelta(seconds=seconds)
    while clock() < end:
        answer = api.pickup(WRONG)
        if answer.status_code == 403:
            tried += 1
            continue
        assert answer.status_code == 429, answer.get_json()
        pauses.append(answer.get_json())
        if answer.get_json()["admin_unlock_required"]:
            break
        clock.advance(seconds=int(answer.headers["Retry-After"]))
    return tried, pauses


def test_no_guesser_locks_the_keypad_in_a_day_and_repeated_pauses_alert(app, api, clock):
    tried, pauses = _guess_until(api, clock, 24 * 3600)
    assert tried == 15  # 5 free, then pauses of 60 s doubling: the 16th would wait past the day
    assert not any(p["admin_unlock_required"] for p in pauses)
    assert _events(app, "keypad.locked") == []
    alerts = _events(app, "keypad.pausing")
    assert len(alerts) == 1 and alerts[0].actor == "system"  # at the third pause, once


def test_the_back_off_window_slides(api, clock):
    for _ in range(5):
        assert api.pickup(WRONG).status_code == 403
    clock.advance(hours=12)
    assert api.pickup(WRONG).status_code == 403  # the sixth: 120 s, counted with the first five
    clock.advance(seconds=120)
    clock.advance(hours=12)
    # The first five dropped out: one failure left in the window, four free ones, then a pause.
    assert [api.pickup(WRONG).status_code for _ in range(5)] == [403] * 4 + [429]


def test_a_patient_guesser_locks_the_keypad_after_forty_in_a_week_until_an_admin_unlocks(make_app, clock, sms):
    first, second = make_app(), make_app()
    world = seed_world(first)
    one, two = Api(first.test_client(), world), Api(second.test_client(), world)
    tried, pauses = _guess_until(one, clock, 7 * 24 * 3600)
    assert tried == keypad.LOCK_AFTER == 40
    assert pauses[-1]["admin_unlock_required"] is True
    alerts = _events(first, "keypad.locked")
    assert len(alerts) == 1 and alerts[0].actor == "system"
    assert len(_events(first, "keypad.pausing")) >= 2  # the days before the lock alerted too

    clock.advance(hours=25)  # time alone does not lift it
    good = _deliver(one, sms)
    assert two.pickup(good).status_code == 429
    with second.app_context():
        site = db.session.scalar(sa.select(Site).where(Site.code == "MAPO-001"))
        assert keypad.status(db.session, clock(), site)["locked"] is True
        assert keypad.unlock(db.session, clock(), site, "admin:1") is True
        db.session.commit()
    assert [a.actor for a in _events(first, "keypad.unlocked")] == ["admin:1"]
    assert one.pickup(good).status_code == 200
    assert [two.pickup(WRONG).status_code for _ in range(6)] == [403] * 5 + [429]


def test_old_failures_are_purged_and_the_newest_row_stays(app, api, clock, world):
    for _ in range(3):
        api.pickup(WRONG, token=world.other_kiosk_token)
    clock.advance(days=8)
    for _ in range(2):
        api.pickup(WRONG)
    clock.advance(days=8)
    run_jobs(app)
    with app.app_context():
        # All but the table's newest row: SQLite would hand its id out again.
        assert db.session.scalar(sa.text("SELECT count(*) FROM keypad_failures")) == 1
        db.session.rollback()
    # New failures count after the purge.
    assert [api.pickup(WRONG).status_code for _ in range(6)] == [403] * 5 + [429]


def test_the_budget_is_per_site(api, world):
    for _ in range(5):
        api.pickup(WRONG)
    assert api.pickup(WRONG).status_code == 429
    assert api.pickup(WRONG, token=world.other_kiosk_token).status_code == 403


def test_concurrent_wrong_codes_from_two_workers_never_overspend(make_app, clock):
    """Twenty guesses at the same instant through two app instances: exactly five are tried."""
    first, second = make_app(), make_app()
    world = seed_world(first)
    with first.app_context():
        # A second kiosk at the site, so that its own row lock (last_seen_at) does not serialise the guesses.
        _, second_kiosk = provisioning.create_kiosk(db.session, clock(), "MAPO-001")
        db.session.commit()
    clients = [Api(first.test_client(), world), Api(second.test_client(), world)]
    tokens = [world.kiosk_token, second_kiosk]
    statuses: list[int] = []
    start = threading.Barrier(20)

    def guess(n: int) -> None:
        start.wait()
        statuses.append(clients[n % 2].pickup(f"{n:08d}", token=tokens[n // 2 % 2]).status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [403] * 5 + [429] * 15
    with first.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM keypad_failures")) == 5
        db.session.rollback()
