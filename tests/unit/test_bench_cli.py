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
