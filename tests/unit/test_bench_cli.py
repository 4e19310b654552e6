"""The benchmark package imports and reads its arguments; the suite never runs the benchmark itself."""

from __future__ import annotations

import pytest

from bench.__main__ import courier_sites, parse_args, plan
from bench.database import Seeded, site_code


def test_quick_comes_from_the_flag_or_the_environment(monkeypatch):
    monkeypatch.delenv("BENCH_QUICK", raising=False)
    assert parse_args([]).quick is False
    assert parse_args(["--quick"]).quick is True
    monkeypatch.setenv("BENCH_QUICK", "1")
    assert parse_args([]).quick is True


def test_the_full_plan_is_the_issue_s_sizes_and_quick_is_a_tenth():
    full, quick = plan(False), plan(True)
    assert (full.large_sites * 100, full.large_parcels, full.parcel_sites) == (1_000_000, 100_000, 1_000)
    assert (quick.large_sites * 100, quick.large_parcels) == (100_000, 10_000)
    assert full.concurrency == 16


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit):
        parse_args(["--seconds", "soon"])


@pytest.mark.parametrize("quick", [False, True])
def test_every_courier_of_every_throughput_run_gets_sites_of_its_own_that_exist(quick):
    p = plan(quick)
    seeded = Seeded(sites=p.large_sites, compartments=p.large_sites * 100, parcels=p.large_parcels,
                    parcel_sites=p.parcel_sites)
    runs = courier_sites(seeded, p.concurrency)
    assert set(runs) == {"service", "floor", "bare"}
    everyone = [site for couriers in runs.values() for own in couriers for site in own]
    assert all(len(own) >= 5 for couriers in runs.values() for own in couriers)
    assert len(everyone) == len(set(everyone))  # no two couriers share a site
    existing = {site_code(n) for n in range(p.parcel_sites + 1, p.large_sites + 1)}  # and none holds stored parcels
    assert set(everyone) <= existing


# --- the resident's figures (issue 18) --------------------------------------------------------------------------

def test_quick_runs_a_shorter_wave_and_fewer_doors_than_the_full_run():
    full, quick = plan(False), plan(True)
    assert full.wave_seconds == 60 and quick.wave_seconds == 15
    assert quick.door_samples < full.door_samples and quick.offline_rounds < full.offline_rounds


def test_the_bench_lifts_every_sms_cap_by_the_name_config_reads():
    from bench.server import LIFTED_SMS_CAPS
    from bench.wave import _environment
    from locker_app.config import load_settings

    default = load_settings({}, "/nonexistent")
    for env in (LIFTED_SMS_CAPS, _environment("http://127.0.0.1:1")):
        settings = load_settings(env, "/nonexistent")
        caps = [name for name in settings if "_CAP_" in name and name.startswith("SMS_")]
        assert {"SMS_HOURLY_CAP_PER_COURIER", "SMS_HOURLY_CAP_PER_CARRIER", "SMS_HOURLY_CAP_TOTAL"} <= set(caps)
        for name in caps:
            assert settings[name] == 1_000_000 != default[name], name


def test_the_bench_service_runs_deploy_s_gunicorn_shape_unless_told_otherwise():
    from bench.server import deploy_shape, shape

    conf = "import os\nworkers = 3\nworker_class = 'gthread'\nthreads = 4\naccesslog = None\nbind = os.environ['X']\n"
    assert deploy_shape(conf) == (3, "gthread", 4)
    assert deploy_shape("workers = 2\nworker_class = 'sync'\n") == (2, "sync", 1)
    assert shape({}, conf) == (3, "gthread", 4)
    assert shape({"BENCH_WORKERS": "5", "BENCH_WORKER_CLASS": "sync", "BENCH_THREADS": "1"}, conf) == (5, "sync", 1)
    workers, worker_class, threads = deploy_shape()  # the real file parses, without importing the app
    assert workers >= 1 and worker_class in {"sync", "gthread"} and threads >= 1


@pytest.mark.parametrize(("values", "q", "expected"), [
    ([1.0], 0.99, 1.0), ([1.0, 2.0], 0.5, 1.0), ([float(n) for n in range(1, 101)], 0.99, 99.0),
    ([float(n) for n in range(1, 101)], 0.5, 50.0), ([float(n) for n in range(1, 16)], 0.99, 15.0),
    ([3.0, 1.0, 2.0], 0.0, 1.0), ([3.0, 1.0, 2.0], 1.0, 3.0)])
def test_percentiles_are_nearest_rank(values, q, expected):
    from bench.stats import percentile

    assert percentile(values, q) == expected


def test_a_percentile_of_nothing_is_not_a_number():
    import math

    from bench.stats import percentile

    assert math.isnan(percentile([], 0.99))


def test_the_relay_bench_queues_messages_as_the_outbox_stores_them(app):
    from bench.relay import CODE, queued_rows
    from locker_app.sealing.keys import current_seal_keys
    from locker_app.sms.outbox import _CODE_LIKE, seal_context

    with app.app_context():
        rows = queued_rows(3)
        assert len({phone for phone, _, _ in rows}) == 3
        for phone, body, sealed in rows:
            assert CODE not in body and not _CODE_LIKE.search(body)  # no code in clear at rest
            assert current_seal_keys().open(sealed, seal_context(phone, None)) == CODE


def test_every_door_of_a_bench_site_has_a_lock_of_its_own():
    from bench.database import SITE_SIZE
    from bench.doors import boards_for, door_map
    from locker_agent.doormap import DoorMap
    from locker_app.services.provisioning import compartment_labels

    doors = DoorMap.parse(door_map())
    assert set(doors.doors) == set(compartment_labels(SITE_SIZE))
    assert boards_for() == 7 and max(lock.board for lock in doors.doors.values()) == 6


def test_the_bus_share_counts_only_the_requests_inside_the_window():
    from bench.doors import TimedDriver

    timed = TimedDriver(driver=None)  # type: ignore[arg-type]
    timed.calls = [(0.0, 1.0), (2.0, 3.0), (4.5, 6.0), (9.0, 10.0)]
    assert timed.busy_between(0.5, 5.0) == pytest.approx(0.5 + 1.0 + 0.5)
    assert timed.busy_between(6.0, 9.0) == 0.0


def test_recovering_a_site_s_codes_costs_candidates_times_one_hash():
    from bench.offline_check import CANDIDATES, SCRYPT_N, core_days

    assert CANDIDATES == 10**8 and SCRYPT_N == 2**15  # ADR 0009's parameters (branch offline)
    assert core_days(0.0864) == pytest.approx(100.0)
