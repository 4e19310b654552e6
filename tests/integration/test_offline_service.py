"""Offline pickup, the service's side: verifiers for a kiosk's own site, incremental, and the replay."""

from __future__ import annotations

import json
import os
import threading
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import offline_verifiers_job, relay_job
from locker_app.offline import making
from locker_app.offline.scheme import Params, verifier
from tests.admin_support import create_admins
from tests.conftest import PEPPER, code_from, row_counts


def _stored(app: Any, api: Any, sms: Any, site: str = "MAPO-001") -> tuple[str, str]:
    parcel = api.reserve(site=site).get_json()
    assert api.deposit(parcel["parcel_id"]).status_code == 200
    with app.app_context():
        relay_job()
    return parcel["parcel_id"], code_from(sms.sent[-1]["body"])


def _verifiers(client: Any, token: str, since: str | None = None, **query: Any) -> Any:
    params = {**({"since": since} if since else {}), **query}
    return client.get("/kiosk/v1/verifiers", query_string=params, headers={"Authorization": f"Bearer {token}"})


def _replay(client: Any, token: str, items: list[dict[str, Any]], queue_length: int = 0) -> Any:
    return client.post("/kiosk/v1/offline/replay", json={"items": items, "queue_length": queue_length},
                       headers={"Authorization": f"Bearer {token}"})


def _match(answer: dict[str, Any], code: str) -> dict[str, Any]:
    salt = bytes.fromhex(answer["salt"])
    mine = verifier(code, salt, Params(n=answer["params"]["n"], r=answer["params"]["r"], p=answer["params"]["p"]))
    found = [v for v in answer["verifiers"] if v["verifier"] == mine]
    assert len(found) == 1, answer
    return found[0]


def _item(entry: dict[str, Any], at: str, key: str = "k-1") -> dict[str, Any]:
    return {"key": key, "kind": entry["kind"], "code_id": entry["id"], "at": at, "compartment": entry["compartment"]}


def test_a_kiosk_gets_scrypt_verifiers_of_its_own_sites_codes_and_never_a_code_or_the_pepper(app, client, api,
                                                                                            sms, world):
    _, code = _stored(app, api, sms)
    _, other_code = _stored(app, api, sms, site="MAPO-002")

    answer = _verifiers(client, world.kiosk_token)

    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert body["enabled"] and body["full"] and body["params"]["algorithm"] == "scrypt"
    entry = _match(body, code)
    assert entry["kind"] == "pickup" and entry["compartment"] == "A01" and entry["not_after"]
    assert body["active"] == [entry["id"]]  # MAPO-002's code is not served here
    assert code not in answer.text and other_code not in answer.text and PEPPER not in answer.text
    other = _verifiers(client, world.other_kiosk_token).get_json()
    assert other["salt"] != body["salt"]  # one salt per site
    _match(other, other_code)


def test_by_default_the_deposit_only_seals_the_code_and_the_scheduler_hashes_it_at_the_lowest_priority(
        make_app, world_factory, sms, monkeypatch):
    app = make_app(OFFLINE_VERIFIERS_INLINE=False)
    world = world_factory(app)
    seen: list[tuple[str, int]] = []
    real = making.verifier

    def recording(*args: Any, **kwargs: Any) -> str:
        seen.append((threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        return real(*args, **kwargs)

    monkeypatch.setattr(making, "verifier", recording)
    client = app.test_client()
    from tests.conftest import Api

    api = Api(client, world)
    _, code = _stored(app, api, sms)

    assert seen == []  # the courier's deposit did not hash
    with app.app_context():
        pending = db.session.execute(sa.text("SELECT code_sealed FROM offline_pending_verifiers")).scalars().all()
        db.session.rollback()
    assert len(pending) == 1 and code not in pending[0]  # sealed, never in clear
    assert _verifiers(client, world.kiosk_token).get_json()["verifiers"] == []  # not yet pickable offline

    with app.app_context():
        assert offline_verifiers_job() == 1
        assert offline_verifiers_job() == 0
        left = db.session.execute(sa.text("SELECT count(*) FROM offline_pending_verifiers")).scalar()
        db.session.rollback()
    assert left == 0
    assert [name for name, _ in seen] == ["offline-hasher_0"] and seen[0][1] == 19
    _match(_verifiers(client, world.kiosk_token).get_json(), code)


def test_a_code_voided_before_its_verifier_is_made_gets_none(make_app, world_factory, sms, monkeypatch):
    app = make_app(OFFLINE_VERIFIERS_INLINE=False)
    world = world_factory(app)
    client = app.test_client()
    from tests.conftest import Api

    api = Api(client, world)
    _, code = _stored(app, api, sms)
    assert client.post("/kiosk/v1/pickup", json={"code": code},
                       headers={"Authorization": f"Bearer {world.kiosk_token}"}).status_code == 200
    with app.app_context():
        assert offline_verifiers_job() == 1  # settled: dropped, not hashed
        made = db.session.execute(sa.text("SELECT count(*) FROM offline_verifiers")).scalar()
        db.session.rollback()
    assert made == 0


def test_the_sync_is_incremental_and_drops_a_parcel_picked_up_elsewhere(app, client, api, sms, world, clock):
    _, first = _stored(app, api, sms)
    full = _verifiers(client, world.kiosk_token).get_json()
    first_id = _match(full, first)["id"]

    clock.advance(minutes=10)
    again = _verifiers(client, world.kiosk_token, full["cursor"]).get_json()  # within the overlap: sent again
    assert [v["id"] for v in again["verifiers"]] == [first_id]
    clock.advance(minutes=1)
    nothing_new = _verifiers(client, world.kiosk_token, again["cursor"]).get_json()
    assert nothing_new["verifiers"] == [] and nothing_new["active"] == [first_id] and not nothing_new["full"]

    _, second = _stored(app, api, sms)
    assert api.pickup(first).status_code == 200  # taken online, at this or any kiosk
    changes = _verifiers(client, world.kiosk_token, nothing_new["cursor"]).get_json()
    second_id = _match(changes, second)["id"]
    assert len(changes["verifiers"]) == 1 and changes["active"] == [second_id]
    with app.app_context():  # the ended code's verifier is gone from the database too
        kept = db.session.execute(sa.text("SELECT code_id FROM offline_verifiers")).scalars().all()
        db.session.rollback()
    assert kept == [second_id]


def test_a_replayed_pickup_settles_the_parcel_spends_the_code_and_a_second_replay_changes_nothing(
        app, client, api, sms, world, clock):
    parcel_id, code = _stored(app, api, sms)
    entry = _match(_verifiers(client, world.kiosk_token).get_json(), code)
    taken_at = (clock() + timedelta(minutes=3)).isoformat()
    clock.advance(minutes=20)

    first = _replay(client, world.kiosk_token, [_item(entry, taken_at)], queue_length=0)

    assert first.status_code == 200, first.get_json()
    assert first.get_json()["results"] == [{"key": "k-1", "outcome": "settled", "replayed": False}]
    parcel = api.get(parcel_id).get_json()
    assert parcel["state"] == "picked_up"
    with app.app_context():
        event = db.session.execute(sa.text("SELECT actor, detail, at FROM events WHERE action = 'parcel.picked_up'"
                                           )).one()
        db.session.rollback()
    detail = json.loads(event.detail) if isinstance(event.detail, str) else event.detail
    assert event.actor.startswith("kiosk:") and detail["offline"] is True and detail["replay_key"] == "k-1"
    assert api.pickup(code).status_code == 403  # the code used offline is spent at the service too

    before = row_counts(app)
    again = _replay(client, world.kiosk_token, [_item(entry, taken_at)], queue_length=0)
    assert again.get_json()["results"] == [{"key": "k-1", "outcome": "settled", "replayed": True}]
    assert row_counts(app) == before
    assert _verifiers(client, world.kiosk_token).get_json()["active"] == []


def test_a_parcel_taken_twice_is_an_alert_and_the_record_is_kept(app, client, api, sms, world):
    parcel_id, code = _stored(app, api, sms)
    entry = _match(_verifiers(client, world.kiosk_token).get_json(), code)
    # Meanwhile, while this kiosk was offline, the resident got a fresh code and it was used online.
    from locker_app.services.resend import resend_code

    with app.app_context():
        from locker_app.models import Parcel

        parcel = db.session.get(Parcel, parcel_id)
        resend_code(db.session(), app.extensions["locker.clock"](), parcel, app.config["CODE_PEPPERS"], "test")
        db.session.commit()
        relay_job()
    assert api.pickup(code_from(sms.sent[-1]["body"])).status_code == 200

    answer = _replay(client, world.kiosk_token, [_item(entry, "2026-11-24T05:10:00Z")])

    assert answer.status_code == 200
    assert answer.get_json()["results"][0]["outcome"] == "taken-twice"
    with app.app_context():
        alerts = db.session.execute(sa.text("SELECT parcel_id FROM events WHERE action = 'parcel.taken_twice'")).all()
        kept = db.session.execute(sa.text("SELECT outcome FROM offline_replays")).all()
        db.session.rollback()
    assert [a.parcel_id for a in alerts] == [parcel_id] and [k.outcome for k in kept] == ["taken-twice"]


def test_a_code_replaced_after_the_last_sync_still_settles_and_the_fresh_code_stops(app, client, api, sms, world):
    parcel_id, code = _stored(app, api, sms)
    entry = _match(_verifiers(client, world.kiosk_token).get_json(), code)
    from locker_app.models import Parcel
    from locker_app.services.resend import resend_code

    with app.app_context():
        resend_code(db.session(), app.extensions["locker.clock"](), db.session.get(Parcel, parcel_id),
                    app.config["CODE_PEPPERS"], "test")
        db.session.commit()
        relay_job()
    fresh = code_from(sms.sent[-1]["body"])

    result = _replay(client, world.kiosk_token, [_item(entry, "2026-11-24T05:10:00Z")]).get_json()

    assert result["results"][0]["outcome"] == "settled"
    assert api.get(parcel_id).get_json()["state"] == "picked_up"
    assert api.pickup(fresh).status_code == 403


def test_a_kiosk_clock_hours_off_is_clamped_to_the_codes_life(app, client, api, sms, world, clock):
    parcel_id, code = _stored(app, api, sms)
    entry = _match(_verifiers(client, world.kiosk_token).get_json(), code)
    clock.advance(minutes=30)
    future = (clock() + timedelta(hours=9)).isoformat()  # a kiosk that thinks it is 9 hours later

    assert _replay(client, world.kiosk_token, [_item(entry, future)]).status_code == 200

    assert api.get(parcel_id).get_json()["picked_up_at"].startswith(clock().isoformat()[:16])  # now, not 9 h on


def test_bad_replays_are_refused_whole_and_change_nothing(app, client, world):
    before = row_counts(app)
    for body in ([{"key": "x", "kind": "pickup", "code_id": "1", "at": "2026-11-24T05:10:00Z"}],
                 [{"key": "x", "kind": "steal", "code_id": 1, "at": "2026-11-24T05:10:00Z"}],
                 [{"key": "x", "kind": "pickup", "code_id": 1, "at": "yesterday"}],
                 [{"key": "", "kind": "pickup", "code_id": 1, "at": "2026-11-24T05:10:00Z"}]):
        answer = _replay(client, world.kiosk_token, body)
        assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert _verifiers(client, world.kiosk_token, since="not-a-cursor").status_code == 400
    after = row_counts(app)
    assert {k: v for k, v in after.items() if k not in ("offline_sites", "agent_reports")} == \
        {k: v for k, v in before.items() if k not in ("offline_sites", "agent_reports")}


def test_an_operator_turns_offline_pickup_off_for_a_site(app, client, api, sms, world):
    _stored(app, api, sms)
    assert _verifiers(client, world.kiosk_token).get_json()["active"]

    result = app.test_cli_runner().invoke(args=["locker", "offline-pickup", "MAPO-001", "--off"])

    assert result.exit_code == 0 and "off" in result.output
    body = _verifiers(client, world.kiosk_token).get_json()
    assert body["enabled"] is False and body["verifiers"] == [] and body["active"] == [] and body["salt"] is None
    _stored(app, api, sms)
    assert _verifiers(client, world.kiosk_token).get_json()["verifiers"] == []
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM offline_verifiers")).scalar() == 0
        db.session.rollback()
    app.test_cli_runner().invoke(args=["locker", "offline-pickup", "MAPO-001", "--on"])
    _, newest = _stored(app, api, sms)
    _match(_verifiers(client, world.kiosk_token).get_json(), newest)


def test_the_admin_api_shows_each_kiosk_online_its_last_sync_and_queue_length(app, client, world, clock):
    admins = create_admins(app)
    _verifiers(client, world.kiosk_token, queue_length=3)
    headers = {"Authorization": f"Bearer {admins.operator_token}"}

    kiosks = client.get("/admin/api/kiosks", headers=headers).get_json()["kiosks"]
    mine = next(k for k in kiosks if k["site"] == "MAPO-001")
    assert mine["online"] is True and mine["queue_length"] == 3 and mine["last_sync"].startswith("2026-11-24T05:05")
    assert next(k for k in kiosks if k["site"] == "MAPO-002")["last_sync"] is None

    clock.advance(minutes=10)
    mine = next(k for k in client.get("/admin/api/kiosks", headers=headers).get_json()["kiosks"]
                if k["site"] == "MAPO-001")
    assert mine["online"] is False


def test_the_dashboard_shows_each_kiosk_online_or_offline_its_last_sync_and_queue(app, client, world, clock):
    from tests.admin_support import signed_in

    create_admins(app)
    _verifiers(client, world.kiosk_token, queue_length=2)
    browser = signed_in(app)

    tile = browser.text("/admin/").split('data-site="MAPO-001"', 1)[1].split("</article>", 1)[0]
    agent = tile.split('data-stat="agent"', 1)[1].split("</div>", 1)[0]
    assert "online" in agent and "never" not in agent and "<span data-queue>2</span>" in agent

    clock.advance(minutes=10)
    tile = browser.text("/admin/").split('data-site="MAPO-001"', 1)[1].split("</article>", 1)[0]
    assert "offline" in tile.split('data-stat="agent"', 1)[1].split("</div>", 1)[0]


def _sql(app: Any, statement: str, **params: Any) -> None:
    with app.app_context():
        db.session.execute(sa.text(statement), params)
        db.session.commit()


def test_a_courier_return_code_gets_a_verifier_and_its_replay_returns_the_parcel(app, client, api, sms, world):
    parcel_id, _ = _stored(app, api, sms)
    _sql(app, "UPDATE parcels SET state = 'expired' WHERE id = :p", p=parcel_id)
    _sql(app, "UPDATE access_codes SET active = false WHERE parcel_id = :p", p=parcel_id)
    answer = client.post(f"/api/v1/parcels/{parcel_id}/return", headers={
        "Authorization": f"Bearer {world.courier_token}", "Idempotency-Key": "r-1"})
    return_code = answer.get_json()["return_code"]

    entry = _match(_verifiers(client, world.kiosk_token).get_json(), return_code)
    assert entry["kind"] == "return" and entry["not_after"] is None
    result = _replay(client, world.kiosk_token, [_item(entry, "2026-11-24T05:10:00Z")]).get_json()

    assert result["results"][0]["outcome"] == "settled"
    assert api.get(parcel_id).get_json()["state"] == "returned"


def test_where_the_site_asks_for_the_phone_digits_the_verifier_covers_them(app, client, api, sms, world):
    _sql(app, "UPDATE sites SET require_phone_suffix = true WHERE code = 'MAPO-001'")
    _, code = _stored(app, api, sms)  # to 010-1234-5678

    body = _verifiers(client, world.kiosk_token).get_json()

    salt, params = bytes.fromhex(body["salt"]), Params(n=body["params"]["n"])
    [entry] = body["verifiers"]
    assert body["phone_suffix_required"] and entry["phone_suffix"] is True
    assert entry["verifier"] == verifier(code, salt, params, "5678") != verifier(code, salt, params)


def test_two_replays_of_one_pickup_at_once_settle_it_once(make_app, app, client, api, sms, world):
    _, code = _stored(app, api, sms)
    entry = _match(_verifiers(client, world.kiosk_token).get_json(), code)
    other_host = make_app()  # a second app instance on the same database: another web worker or host
    start = threading.Barrier(2)
    answers: list[Any] = []

    def send(instance: Any) -> None:
        start.wait()
        answers.append(_replay(instance.test_client(), world.kiosk_token, [_item(entry, "2026-11-24T05:10:00Z")]))

    threads = [threading.Thread(target=send, args=(instance,)) for instance in (app, other_host)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(a.status_code for a in answers) == [200, 200]
    assert sorted(a.get_json()["results"][0]["replayed"] for a in answers) == [False, True]
    with app.app_context():
        settled = db.session.execute(sa.text("SELECT count(*) FROM events WHERE action = 'parcel.picked_up'")).scalar()
        db.session.rollback()
    assert settled == 1
