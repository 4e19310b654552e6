"""Seal keys: AES-256-GCM with key ids, rotation, and seals bound to their context."""

import pytest

from locker_app.config import check_settings, load_settings
from locker_app.sealing.keys import DEV_SEAL_KEY, SealError, new_key_text, parse_seal_keys


def test_a_sealed_code_opens_only_with_its_context_and_shows_no_digit_of_it():
    keys = parse_seal_keys(new_key_text("1"))
    sealed = keys.seal("48213377", "sms-code\x00+821012345678\x00p1")
    assert "48213377" not in sealed and sealed.startswith("1.")
    assert keys.open(sealed, "sms-code\x00+821012345678\x00p1") == "48213377"
    with pytest.raises(SealError):  # the row's number changed to the attacker's
        keys.open(sealed, "sms-code\x00+821099999999\x00p1")
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(SealError):
        keys.open(tampered, "sms-code\x00+821012345678\x00p1")
    assert keys.seal("48213377", "c") != keys.seal("48213377", "c")  # a fresh nonce each time


def test_rotation_old_seals_open_while_the_old_key_is_configured():
    old_text, new_text = new_key_text("1"), new_key_text("2")
    sealed = parse_seal_keys(old_text).seal("12345678", "c")
    rotated = parse_seal_keys(new_text, old_text)
    assert rotated.open(sealed, "c") == "12345678"
    assert rotated.seal("1", "c").startswith("2.")
    with pytest.raises(SealError, match="no seal key with id '1'"):
        parse_seal_keys(new_text).open(sealed, "c")


@pytest.mark.parametrize("bad", ["", "1:short", "1:" + "A" * 40, "bad id!:" + new_key_text()[2:]])
def test_keys_that_are_not_32_random_bytes_are_refused(bad):
    with pytest.raises(ValueError):
        parse_seal_keys(bad)


def test_the_same_key_id_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        parse_seal_keys(new_key_text("1"), new_key_text("1"))


def test_the_development_key_is_refused_in_production():
    strong = {"LOCKER_SECRET_KEY": "s" * 40, "LOCKER_CODE_PEPPER": "p" * 40, "LOCKER_PRODUCTION": "1"}
    with pytest.raises(RuntimeError, match="SEAL_KEY"):
        check_settings(load_settings(strong, "/tmp"))
    assert load_settings({}, "/tmp")["SEAL_KEY"] == DEV_SEAL_KEY
    check_settings(load_settings({**strong, "LOCKER_SEAL_KEY": new_key_text("7")}, "/tmp"))
    with pytest.raises(RuntimeError, match="LOCKER_SEAL_KEY"):
        check_settings(load_settings({"LOCKER_SEAL_KEY": "1:nonsense"}, "/tmp"))
