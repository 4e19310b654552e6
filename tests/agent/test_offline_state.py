"""The agent's offline pickup without a service: its checks, its budget and what survives on disk."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from locker_agent.budget import LocalBudget, Paused
from locker_agent.offline_pickup import OfflinePickup, Syncer
from locker_agent.offline_state import PickupQueue
from locker_agent.uplink import ServiceUnreachable

from .offline_support import FakeDoors, answer, entry, later


def _offline(tmp_path: Path, *entries, clock=time.time, doors=None, **kwargs) -> tuple[OfflinePickup, FakeDoors]:
    offline = OfflinePickup(tmp_path, clock=clock)
    doors = doors or FakeDoors()
    offline.attach(doors)
    if entries:
        # The skew a sync would learn: the service's clock minus the kiosk's.
        skew = kwargs["now"].timestamp() - clock() if "now" in kwargs else 0.0
        offline.verifiers.apply(answer(list(entries), **kwargs), skew=skew)
    return offline, doors


def _pick(offline: OfflinePickup, code: str, **extra):
    return offline.answer("POST", "/kiosk/v1/pickup", json.dumps({"code": code, **extra}).encode())


def test_the_right_code_opens_its_door_and_is_queued_once(tmp_path):
    offline, doors = _offline(tmp_path, entry(7, "12345678", "A03"), entry(8, "87654321", "A04"))

    opened = _pick(offline, "12345678")

    assert opened.status == 200
    assert opened.json()["compartments"] == ["A03"] and opened.json()["doors"] == {"A03": "opened"}
    assert doors.opened == ["A03"]
    [queued] = offline.queue.items()
    assert queued["code_id"] == 7 and queued["kind"] == "pickup" and queued["key"]
    assert _pick(offline, "12345678").status == 403  # spent here at once, before any replay


def test_every_failure_looks_the_same_and_five_pause_the_keypad(tmp_path):
    offline, doors = _offline(tmp_path, entry(7, "12345678", "A03", not_after=later(-1)), entry(9, "11112222", "A05"))
    answers = [_pick(offline, code) for code in ("00000000", "12345678", "1234", "abcdefgh")]
    answers.append(offline.answer("POST", "/kiosk/v1/pickup", b"not json"))

    assert {(a.status, a.body, tuple(sorted(a.headers.items()))) for a in answers} == {
        (403, answers[0].body, (("Content-Type", "application/problem+json"),))}
    assert answers[0].json()["type"] == "code-rejected"
    paused = _pick(offline, "11112222")  # even the right code, while paused
    assert paused.status == 429 and paused.headers["Retry-After"] == "60"
    assert paused.json()["type"] == "keypad-locked" and doors.opened == []


def test_a_restarted_agent_keeps_its_queue_its_verifiers_and_its_budget(tmp_path):
    offline, _ = _offline(tmp_path, entry(7, "12345678", "A03"), entry(8, "87654321", "A04"))
    assert _pick(offline, "12345678").status == 200
    for _ in range(5):
        _pick(offline, "99999999")

    again = OfflinePickup(tmp_path)
    again.attach(FakeDoors())

    assert [i["code_id"] for i in again.queue.items()] == [7]
    assert set(again.verifiers.entries()) == {"8"}
    assert _pick(again, "87654321").status == 429  # the pause survived the restart
    assert list(tmp_path.glob("*.corrupt-*")) == []


def test_a_kiosk_clock_hours_off_is_corrected_by_the_services(tmp_path):
    nine_hours_slow = lambda: time.time() - 9 * 3600  # noqa: E731
    real_now = datetime.now(UTC)
    offline, _ = _offline(tmp_path, entry(7, "12345678", "A03", not_after=real_now + timedelta(hours=2)),
                          clock=nine_hours_slow, now=real_now)

    opened = _pick(offline, "12345678")

    assert opened.status == 200
    at = datetime.fromisoformat(offline.queue.items()[0]["at"].replace("Z", "+00:00"))
    assert abs((at - real_now).total_seconds()) < 60  # the service's time, not the kiosk's


def test_a_deadline_passed_by_the_services_clock_rejects_even_with_a_slow_kiosk_clock(tmp_path):
    real_now = datetime.now(UTC)
    offline, _ = _offline(tmp_path, entry(7, "12345678", "A03", not_after=real_now + timedelta(hours=1)),
                          clock=lambda: time.time() - 9 * 3600, now=real_now + timedelta(hours=2))
    assert _pick(offline, "12345678").status == 403


def test_a_stale_set_drops_parcels_taken_elsewhere_and_older_codes_of_a_compartment(tmp_path):
    offline, _ = _offline(tmp_path, entry(7, "12345678", "A03"), entry(8, "87654321", "A04"))
    # Next sync: #8 was picked up elsewhere; A03's parcel was taken and a new one is in it (#12).
    offline.verifiers.apply(answer([entry(12, "55556666", "A03")], full=False, active=[7, 12]), skew=0.0)

    assert set(offline.verifiers.entries()) == {"12"}
    assert _pick(offline, "87654321").status == 403 and _pick(offline, "12345678").status == 403
    assert _pick(offline, "55556666").status == 200


def test_turned_off_for_the_site_the_agent_drops_its_set_and_answers_offline(tmp_path):
    offline, _ = _offline(tmp_path, entry(7, "12345678", "A03"))
    offline.verifiers.apply(answer([], enabled=False, salt=None), skew=0.0)
    reloaded = OfflinePickup(tmp_path)
    reloaded.attach(FakeDoors())
    assert reloaded.verifiers.entries() == {}
    assert _pick(reloaded, "12345678").json()["type"] == "locker-offline"


def test_a_corrupted_verifier_file_is_set_aside_and_never_trusted(tmp_path):
    _offline(tmp_path, entry(7, "12345678", "A03"))
    path = tmp_path / "verifiers.json"
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"A03")] = ord("B")  # a flipped byte: B03 would open the wrong door
    path.write_bytes(bytes(raw))

    offline = OfflinePickup(tmp_path)
    offline.attach(FakeDoors())

    assert offline.verifiers.damaged and offline.verifiers.entries() == {}
    assert _pick(offline, "12345678").json()["type"] == "locker-offline"
    assert len(list(tmp_path.glob("verifiers.json.corrupt-*"))) == 1 and not path.exists()


def test_a_torn_queue_keeps_every_whole_record_and_the_damage_aside(tmp_path):
    queue = PickupQueue(tmp_path / "queue.jsonl")
    for n in range(3):
        queue.add({"key": f"k{n}", "kind": "pickup", "code_id": n + 1, "at": "2026-11-24T05:10:00Z"})
    path = tmp_path / "queue.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"k1", b"kX")  # damaged in the middle
    path.write_bytes(b"\n".join(lines)[:-20])  # and the last line torn

    again = PickupQueue(path)

    assert [i["key"] for i in again.items()] == ["k0"]
    assert again.damaged_lines == 2 and len(list(tmp_path.glob("queue.jsonl.corrupt-*"))) == 1


def test_a_corrupted_budget_pauses_rather_than_starting_afresh(tmp_path):
    budget = LocalBudget(tmp_path / "budget.json")
    budget.failure(time.time())
    (tmp_path / "budget.json").write_bytes(b"{garbage")

    again = LocalBudget(tmp_path / "budget.json")

    with pytest.raises(Paused) as paused:
        again.check(time.time())
    assert paused.value.retry_after == 60


def test_the_local_budget_doubles_locks_after_24_and_a_clock_jump_cannot_stretch_a_pause(tmp_path):
    budget = LocalBudget(tmp_path / "budget.json")
    now = 1_800_000_000.0
    for _ in range(5):
        budget.failure(now)
    with pytest.raises(Paused) as first:
        budget.check(now - 5 * 3600)  # the kiosk's clock jumped 5 hours back
    assert first.value.retry_after == 60
    budget.failure(now + 61)
    with pytest.raises(Paused) as second:
        budget.check(now + 62)
    assert second.value.retry_after == 119
    for i in range(18):
        budget.failure(now + 1000 + i)
    with pytest.raises(Paused) as locked:
        budget.check(now + 10**6)
    assert locked.value.admin_unlock_required


class FlakyUplink:
    """Answers the replay like the service, and drops off after `fail_after` calls."""

    def __init__(self, fail_after: int) -> None:
        self.fail_after = fail_after
        self.settled: dict[str, int] = {}
        self.calls = 0

    def post_json(self, path, body):
        self.calls += 1
        if self.calls > self.fail_after:
            raise ServiceUnreachable("cut")
        from locker_agent.answers import json_answer

        results = []
        for item in body["items"]:
            results.append({"key": item["key"], "outcome": "settled", "replayed": item["key"] in self.settled})
            self.settled[item["key"]] = self.settled.get(item["key"], 0) + 1
        return json_answer(200, {"results": results})


def test_a_replay_cut_half_way_resumes_with_what_was_not_acknowledged(tmp_path, monkeypatch):
    import locker_agent.offline_pickup as offline_pickup

    monkeypatch.setattr(offline_pickup, "REPLAY_BATCH", 2)
    offline, _ = _offline(tmp_path, *(entry(n, f"{n:08d}", f"A0{n}") for n in range(1, 6)))
    for n in range(1, 6):
        assert _pick(offline, f"{n:08d}").status == 200
    uplink = FlakyUplink(fail_after=1)
    syncer = Syncer(uplink, offline)  # type: ignore[arg-type]

    with pytest.raises(ServiceUnreachable):
        syncer.replay()
    assert len(offline.queue) == 3 and len(OfflinePickup(tmp_path).queue) == 3  # on disk too

    uplink.fail_after = 100
    syncer.replay()
    assert len(offline.queue) == 0 and sorted(uplink.settled.values()) == [1] * 5


def test_where_the_site_asks_for_the_phone_digits_the_code_alone_does_not_open(tmp_path):
    offline, doors = _offline(tmp_path, entry(7, "12345678", "A03", suffix="5678"), suffix_required=True)

    assert _pick(offline, "12345678").status == 403
    assert _pick(offline, "12345678", phone_suffix="0000").status == 403
    assert _pick(offline, "12345678", phone_suffix="5678").status == 200 and doors.opened == ["A03"]
