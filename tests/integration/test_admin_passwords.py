"""Admin passwords: long enough and not one attackers try first (NIST SP 800-63B 5.1.1.2)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.services.errors import InvalidInput
from locker_app.services.passwords import check_new_password


@pytest.mark.parametrize("password", [
    "password123",      # breached and common (zxcvbn's list), long enough for the old length-only check
    "qwertyuiop",
    "1q2w3e4r5t6y",
    "Password123!",     # a common one with case and a symbol
    "aaaaaaaaaaaa",     # repetitive
    "0123456789",       # sequential
    "9876543210",
    "locker2026!",      # a word of the service with digits
    "ops-is-my-name",   # the username inside
])
def test_common_sequential_and_context_passwords_are_refused(app, password):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["locker", "create-admin", "ops", "--all-districts"],
                           env={"LOCKER_ADMIN_PASSWORD": password})
    assert result.exit_code != 0, result.output
    assert password not in result.output  # the message never repeats it
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM admins")) == 0
        db.session.rollback()


def test_a_long_uncommon_password_is_taken(app):
    result = app.test_cli_runner().invoke(args=["locker", "create-admin", "ops", "--all-districts"],
                                          env={"LOCKER_ADMIN_PASSWORD": "correct horse battery"})
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("password", "said"), [("short", "at least 10"), ("x" * 300, "at most 256"),
                                                ("iloveyou12", "common passwords")])
def test_the_message_says_what_is_wrong(password, said):
    with pytest.raises(InvalidInput) as refused:
        check_new_password(password, "someone")
    assert said in str(refused.value.detail)
