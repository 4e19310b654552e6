"""The last safety net in the log handler: no code, token or full phone number gets through."""

import io
import json
import logging

import pytest

from locker_app.ops.logs import make_handler, mask


@pytest.mark.parametrize(("raw", "hidden"), [
    ("code 29896505 accepted", "29896505"),
    ("인증번호29896505", "29896505"),
    ("Authorization: Bearer abc.DEF-123_xyz", "abc.DEF-123_xyz"),
    ("GET /kiosk/?token=s3cr3t-T0ken&lang=ko", "s3cr3t-T0ken"),
    # Percent-encoded letters: the server decodes `t%6fken` to `token` and takes the token.
    ("GET /kiosk/?t%6fken=s3cr3t-T0ken HTTP/1.1", "s3cr3t-T0ken"),
    ("GET /kiosk/?%74%6F%6B%65%6E%3Ds3cr3t-T0ken", "s3cr3t-T0ken"),
    ("GET /kiosk/?lang=ko&TOKEN=s3cr3t-T0ken", "s3cr3t-T0ken"),
    ("to +821012345678", "1012345678"),
    ("to +82 10-1234-5678", "1234-5678"),
    ("to 010-1234-5678", "1234-5678"),
    ("to 01012345678", "01012345678"),
    ("to 1012345678", "1012345678"),
])
def test_secrets_are_masked(raw, hidden):
    assert hidden not in mask(raw)


@pytest.mark.parametrize("kept", [
    "parcel 3f2a9c41b6d8e7f0a12345678cd4e5f6 stored",  # ids stay greppable
    "2026-11-25T14:52:39+09:00",
    # gunicorn's access log time: its offset is not a phone number.
    '127.0.0.1 - - [02/Dec/2026:14:26:14 +0000] "GET /healthz HTTP/1.1" 200 2',
    "[25/Nov/2026:14:52:39 +0900]",
    "tracking CJ1234567890",
    "compartment A03 of MAPO-001",
    "took 0.0123 s",
])
def test_ordinary_text_is_left_alone(kept):
    assert mask(kept) == kept


def test_the_json_handler_masks_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    logger = logging.getLogger("test.masking")
    logger.addHandler(make_handler("json", stream))
    logger.propagate = False
    try:
        logger.warning("SMS to %s: 인증번호 %s", "+821055556666", "12345678", extra={"site": "MAPO-001"})
        try:
            raise ValueError("duplicate phone 010-5555-6666")
        except ValueError:
            logger.exception("failed for Bearer tok_abcdef")
    finally:
        logger.handlers.clear()
        logger.propagate = True
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["WARNING", "ERROR"]
    assert lines[0]["site"] == "MAPO-001" and lines[0]["request_id"] == "-"
    text = stream.getvalue()
    for secret in ("55556666", "5555-6666", "12345678", "tok_abcdef"):
        assert secret not in text
    assert "ValueError" in lines[1]["exception"]


def test_the_console_sender_still_shows_the_developer_the_code():
    stream = io.StringIO()
    logger = logging.getLogger("locker.sms.console")
    handler = make_handler("text", stream)
    logger.addHandler(handler)
    try:
        logger.warning("SMS to %s:\n%s", "+821012345678", "인증번호 29896505")
    finally:
        logger.removeHandler(handler)
    assert "29896505" in stream.getvalue()


def test_the_dev_server_request_lines_are_off_unless_asked():
    """`make run`: the agent's polls every 2 s must not bury the SMS lines in the terminal."""
    import logging

    from locker_app.ops.logs import configure_logging

    werkzeug, root = logging.getLogger("werkzeug"), logging.getLogger()
    before, root_level, root_handlers = werkzeug.level, root.level, list(root.handlers)
    try:
        configure_logging({})
        assert not werkzeug.isEnabledFor(logging.INFO) and werkzeug.isEnabledFor(logging.WARNING)
        werkzeug.setLevel(logging.NOTSET)
        configure_logging({"LOCKER_DEV_ACCESS_LOG": "1"})
        assert werkzeug.isEnabledFor(logging.INFO)
    finally:
        werkzeug.setLevel(before)
        root.setLevel(root_level)
        root.handlers[:] = root_handlers
