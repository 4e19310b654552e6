"""The keypad's failure budget: back-off after 5, lock after 24 in 24 hours, shared by every worker."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.models import Site
from locker_app.services import keypad, provisioning
from tests.conftest import Api, code_from, seed_world

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


def test_a_good_code_ends_the_back_off_but_issuing_codes_does_not(api, sms, clock):
    for _ in range(5):
        api.pickup(WRONG)
    _deliver(api, sms)  # issuing a new code...
    assert api.pickup(WRONG).status_code == 429  # ...leaves the back-off alone
    clock.advance(seconds=60)
    code = _deliver(api, sms)
    assert api.pickup(code).status_code == 200
    # The streak starts again: five more tries before the next pause.
    assert [api.pickup(WRONG).status_code for _ in range(6)] == [403] * 5 + [429]


def test_twenty_four_failures_in_a_day_lock_until_an_admin_unlocks(make_app, clock, sms):
    first, second = make_app(), make_app()
    world = seed_world(first)
    one, two = Api(first.test_client(), world), Api(second.test_client(), world)

    failures = 0
    while failures < 24:
        for _ in range(4):
            assert (one if failures % 2 else two).pickup(WRONG).status_code == 403
            failures += 1
            if failures == 24:
                break
        else:
            clock.advance(minutes=30)
            # A resident's good code ends each streak, so only the daily budget can stop this guesser.
            assert one.pickup(_deliver(one, sms)).status_code == 200

    locked = two.pickup(WRONG)
    assert locked.status_code == 429
    assert locked.get_json()["admin_unlock_required"] is True
    assert int(locked.headers["Retry-After"]) > 0
    alerts = _events(first, "keypad.locked")
    assert len(alerts) == 1 and alerts[0].actor == "system"

    clock.advance(hours=25)  # time alone does not lift it
    good = _deliver(one, sms)
    assert one.pickup(good).status_code == 429

    with second.app_context():
        site = db.session.scalar(sa.select(Site).where(Site.code == "MAPO-001"))
        assert keypad.status(db.session, clock(), site)["locked"] is True
        assert keypad.unlock(db.session, clock(), site, "admin:1") is True
        db.session.commit()
    assert [a.actor for a in _events(first, "keypad.unlocked")] == ["admin:1"]
    assert one.pickup(good).status_code == 200
    assert two.pickup(WRONG).status_code == 403


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
