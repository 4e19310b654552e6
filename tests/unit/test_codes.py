from collections import Counter

from locker_app.services.codes import code_digest, digests_match, looks_like_code, new_code


def test_codes_are_eight_digits_and_use_the_whole_range():
    codes = [new_code() for _ in range(20_000)]
    assert all(len(c) == 8 and c.isdigit() for c in codes)
    # Leading zeros happen (a code is not an int), and no code repeats in a small sample.
    assert any(c.startswith("0") for c in codes)
    assert len(set(codes)) > 19_990
    first_digits = Counter(c[0] for c in codes)
    assert set(first_digits) == set("0123456789")
    assert max(first_digits.values()) < 2 * min(first_digits.values())


def test_digest_depends_on_pepper_site_and_code():
    base = code_digest("pepper", 1, "12345678")
    assert base == code_digest("pepper", 1, "12345678")
    assert base != code_digest("other", 1, "12345678")
    assert base != code_digest("pepper", 2, "12345678")
    assert base != code_digest("pepper", 1, "12345679")
    assert "12345678" not in base and len(base) == 64


def test_site_and_code_cannot_be_shifted_into_each_other():
    assert code_digest("p", 1, "12345678") != code_digest("p", 11, "2345678")


def test_well_formed_codes():
    assert looks_like_code("00000000")
    for bad in ("1234567", "123456789", "1234567a", 12345678, None, "１２３４５６７８", " 1234567"):
        assert not looks_like_code(bad)
    assert digests_match("ab", "ab") and not digests_match("ab", "ac")
