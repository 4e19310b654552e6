"""LOCKER_CODE_PEPPER as `id:secret` or a bare secret, and the retired ones beside it."""

import pytest

from locker_app import create_app
from locker_app.services.codes import code_digest, parse_peppers
from locker_app.services.issue_codes import digests_under


def test_a_bare_secret_is_pepper_one():
    peppers = parse_peppers("s3cret")
    assert peppers.current_id == "1" and peppers.current == "s3cret"


def test_id_and_secret_with_old_ones_current_first():
    peppers = parse_peppers("2:new", "1:old, 0:older")
    assert peppers.current_id == "2"
    assert peppers.known == (("2", "new"), ("1", "old"), ("0", "older"))


def test_the_digest_under_each_pepper_is_the_plain_hmac_of_that_secret():
    digests = digests_under(parse_peppers("2:new", "1:old"), 7, "12345678")
    assert digests == {"2": code_digest("new", 7, "12345678"), "1": code_digest("old", 7, "12345678")}
    assert digests["1"] != digests["2"]


@pytest.mark.parametrize(("current", "old"), [("2:new", "2:again"), ("", "")])
def test_a_repeated_id_or_an_empty_pepper_is_refused_at_start(current, old, tmp_path):
    with pytest.raises(RuntimeError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "CODE_PEPPER": current,
                    "CODE_PEPPERS_OLD": old})
