"""Rotating LOCKER_SEAL_KEY: waiting SMS sealed under the old key still go out with the right code while the old
key is configured; `seal-keys` says when it can go; a seal no key opens fails its message and flags the parcel."""

from __future__ import annotations

from locker_app.sealing.keys import new_key_text
from tests.conftest import Api, code_from, seed_world
from tests.integration.sms_support import deposited, events, messages, relay

OLD, NEW = new_key_text("1"), new_key_text("2")


def seal_keys(app):
    return app.test_cli_runner().invoke(args=["locker", "seal-keys"])


def test_a_code_sealed_under_the_old_key_is_sent_after_the_rotation(make_app, sms):
    before = make_app(SEAL_KEY=OLD)
    api = Api(before.test_client(), seed_world(before))
    parcel_id = deposited(api)
    assert messages(before, parcel_id)[0].code_sealed.startswith("1.")

    after = make_app(SEAL_KEY=NEW, SEAL_KEYS_OLD=OLD)
    waiting = seal_keys(after)
    assert waiting.exit_code == 0
    assert waiting.output.splitlines() == ["2: current, 0 sealed codes waiting", "1: old, 1 sealed codes waiting"]
    relay(after, sms)
    assert Api(after.test_client(), api.world).pickup(code_from(sms.sent[0]["body"])).status_code == 200
    assert seal_keys(after).output.splitlines()[1] == "1: old, 0 sealed codes waiting; can be retired"
    [message] = messages(after, parcel_id)
    assert message.code_sealed is None and "********" in (message.body or "")


def test_a_seal_whose_key_was_dropped_fails_its_message_and_flags_the_parcel(make_app, sms):
    before = make_app(SEAL_KEY=OLD)
    api = Api(before.test_client(), seed_world(before))
    parcel_id = deposited(api)

    dropped = make_app(SEAL_KEY=NEW)
    lost = seal_keys(dropped)
    assert lost.exit_code != 0 and "1: NOT CONFIGURED, 1 sealed codes that cannot be sent" in lost.output
    assert relay(dropped, sms) == 0 and sms.sent == []
    [message] = messages(dropped, parcel_id)
    assert message.status == "failed" and message.code_sealed is None
    assert [e.parcel_id for e in events(dropped, "sms.failed")] == [parcel_id]
    assert Api(dropped.test_client(), api.world).get(parcel_id).get_json()["notification_failed"] is True
