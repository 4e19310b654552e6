"""The benchmark package imports and reads its arguments; the suite never runs the benchmark itself."""

from __future__ import annotations

import pytest

from bench.__main__ import parse_args, plan


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
