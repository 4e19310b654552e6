"""The touchscreen page is served with a strict Content-Security-Policy and no inline script."""

from __future__ import annotations

import re
from pathlib import Path

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"


def test_kiosk_page_is_served_with_a_strict_policy(client):
    page = client.get("/kiosk/")
    assert page.status_code == 200
    assert b'<script type="module" src="js/app.js">' in page.data
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'none'" in policy
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/kiosk/js/app.js").headers["Content-Type"].startswith(("text/javascript",
                                                                               "application/javascript"))
    assert client.get("/kiosk/kiosk.css").status_code == 200
    assert client.get("/kiosk").status_code in (301, 308)


def test_only_app_files_are_served(client):
    assert client.get("/kiosk/README.md").status_code == 404
    assert client.get("/kiosk/../pyproject.toml").status_code == 404
    assert client.get("/kiosk/%2e%2e/pyproject.toml").status_code == 404


def test_no_inline_script_style_or_handlers_in_the_markup():
    html = (KIOSK / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert " style=" not in html and "<style" not in html
    assert "http://" not in html and "https://" not in html
