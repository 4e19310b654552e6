from datetime import UTC, datetime, timedelta

import click
import pytest

from locker_app.cli import parse_at
from locker_app.services.assignment import sizes_that_fit
from locker_app.services.errors import InvalidInput
from locker_app.services.phones import mask_phone, normalize_phone
from locker_app.services.provisioning import compartment_labels, parse_compartments
from locker_app.sms.relay import BACKOFF_CAP, backoff


def test_a_parcel_may_be_upsized_never_squeezed():
    assert sizes_that_fit("S") == ("S", "M", "L", "XL")
    assert sizes_that_fit("L") == ("L", "XL")
    assert sizes_that_fit("XL") == ("XL",)


@pytest.mark.parametrize(("raw", "e164"), [
    ("010-1234-5678", "+821012345678"),
    ("01012345678", "+821012345678"),
    ("+82 10 1234 5678", "+821012345678"),
])
def test_korean_mobile_numbers_are_read_in_the_site_country(raw, e164):
    assert normalize_phone(raw, "KR") == e164


def test_us_numbers_are_fixed_line_or_mobile_and_accepted_at_a_us_site():
    assert normalize_phone("+1 415 555 0134", "US") == "+14155550134"


@pytest.mark.parametrize("raw", ["", "abc", "010-123", "02-2133-0000", "1" * 40, None, 1012345678])
def test_numbers_that_cannot_take_an_sms_are_refused(raw):
    with pytest.raises(InvalidInput):
        normalize_phone(raw, "KR")


def test_masked_numbers_keep_only_the_last_four_digits():
    assert mask_phone("+821012345678") == "+82 10-****-5678"
    assert mask_phone(None) is None


def test_backoff_doubles_with_jitter_and_stops_at_the_cap():
    assert backoff(1, lambda: 0.0) == timedelta(seconds=15)
    assert backoff(1, lambda: 1.0) == timedelta(seconds=30)
    assert backoff(3, lambda: 1.0) == timedelta(seconds=120)
    assert backoff(30, lambda: 1.0) == BACKOFF_CAP


def test_compartment_specs_and_labels():
    assert parse_compartments("S:10, M:6,L:3,xl:1") == [("S", 10), ("M", 6), ("L", 3), ("XL", 1)]
    with pytest.raises(InvalidInput):
        parse_compartments("S:0")
    assert compartment_labels(3) == ["A01", "A02", "A03"]
    assert compartment_labels(100)[98:] == ["A99", "B01"]


def test_run_jobs_at_accepts_offsets_and_zoned_times():
    now = datetime(2026, 11, 24, 5, 5, tzinfo=UTC)
    assert parse_at("+30min", now) == now + timedelta(minutes=30)
    assert parse_at("+25h", now) == now + timedelta(hours=25)
    assert parse_at("+8d", now) == now + timedelta(days=8)
    assert parse_at("2026-11-25T09:00:00+09:00", now) == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    with pytest.raises(click.BadParameter):
        parse_at("tomorrow", now)
