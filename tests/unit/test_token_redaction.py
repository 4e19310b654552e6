"""The provisioning token in `/kiosk/?token=...` never reaches the access log."""

from __future__ import annotations

import logging

from locker_app.kiosk_page import redact


def test_access_log_lines_lose_the_token(caplog):
    redact.install()
    redact.install()  # installing twice adds one filter, not two
    logger = logging.getLogger("werkzeug")
    assert sum(isinstance(f, redact.RedactTokens) for f in logger.filters) == 1
    caplog.set_level("INFO", logger="werkzeug")
    logger.info('%s - - [%s] "%s" %s', "127.0.0.1", "now", "GET /kiosk/?lang=en&token=s3cr3t-TOKEN_x HTTP/1.1", 200)
    assert "s3cr3t" not in caplog.text
    assert "GET /kiosk/?lang=en&token=[redacted] HTTP/1.1" in caplog.text
