"""Rotating the code pepper: codes issued before keep opening until they end; then the old one retires."""

from __future__ import annotations

import sqlalchemy as sa

from locker_app.extensions import db
from locker_app.jobs import relay_job
from tests.conftest import Api, World, code_from, seed_world
from tests.integration.sms_support import deposited


def _code(app, sms) -> str:
    with app.app_context():
        relay_job()
    return code_from(sms.sent[-1]["body"])


def _pepper_ids(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT pepper_id, count(*) FROM access_codes WHERE active "
                                          "GROUP BY pepper_id")).all()
        db.session.rollback()
        return {str(key): int(n) for key, n in rows}


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["locker", *args])


def test_a_code_from_before_the_rotation_opens_after_it_and_the_old_pepper_then_retires(make_app, sms):
    before = make_app(CODE_PEPPER="plain-old-secret")  # a bare pepper, as deployments had before ids
    world: World = seed_world(before)
    old_api = Api(before.test_client(), world)
    deposited(old_api)
    old_code = _code(before, sms)
    deposited(old_api)
    unused_old_code = _code(before, sms)
    assert _pepper_ids(before) == {"1": 2}

    # Rotation: a new current pepper with its own id, the old one kept under id 1.
    after = make_app(CODE_PEPPER="2:brand-new-secret", CODE_PEPPERS_OLD="1:plain-old-secret")
    api = Api(after.test_client(), world)
    deposited(api)
    new_code = _code(after, sms)
    assert _pepper_ids(after) == {"1": 2, "2": 1}
    assert "1: old, 2 active codes" in _cli(after, "code-peppers").output

    assert api.pickup(old_code).status_code == 200
    assert api.pickup(new_code).status_code == 200
    assert api.pickup(old_code).status_code == 403  # used is used, whichever pepper

    # Dropping the old pepper too early is caught by the operator's check...
    early = make_app(CODE_PEPPER="2:brand-new-secret")
    result = _cli(early, "code-peppers")
    assert result.exit_code != 0 and "1: NOT CONFIGURED, 1 active codes" in result.output
    # ...and that code indeed stops working without it.
    assert Api(early.test_client(), world).pickup(unused_old_code).status_code == 403
    assert api.pickup(unused_old_code).status_code == 200

    # No active code needs pepper 1 any more: it can go, and the service works on without it.
    assert "1: old, 0 active codes; can be retired" in _cli(after, "code-peppers").output
    retired = make_app(CODE_PEPPER="2:brand-new-secret")
    assert _cli(retired, "code-peppers").exit_code == 0
    retired_api = Api(retired.test_client(), world)
    deposited(retired_api)
    assert retired_api.pickup(_code(retired, sms)).status_code == 200


def test_the_same_digits_are_never_active_twice_at_a_site_across_peppers(make_app, sms, monkeypatch):
    """During a rotation a new code must not repeat an old-pepper code of the same site."""
    from locker_app.services import issue_codes

    before = make_app(CODE_PEPPER="1:old")
    world = seed_world(before)
    deposited(Api(before.test_client(), world))
    old_code = _code(before, sms)

    draws = iter([old_code, "87654321"])
    monkeypatch.setattr(issue_codes, "new_code", lambda: next(draws))
    after = make_app(CODE_PEPPER="2:new", CODE_PEPPERS_OLD="1:old")
    api = Api(after.test_client(), world)
    deposited(api)
    assert _code(after, sms) == "87654321"
    assert api.pickup(old_code).get_json()["compartments"] != api.pickup("87654321").get_json()["compartments"]
