"""What the browser tests and the screenshot scripts share: Debian's Chromium, a live server, deliveries,
and the screenshot scripts' own set-up (a throw-away service and browser, fresh kiosk pages, the pictures)."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from locker_app import create_app
from locker_app.clock import FrozenClock
from locker_app.extensions import db
from tests.conftest import PEPPER, T0, Api, RecordingSender, World, _migrate, code_from, seed_world

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# The kiosk's screen, and the scale the tests and screenshots draw it at (the layout scales with the width).
KIOSK_SIZE = (1080, 1920)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOT_SCALE = 2  # 1080×1920 drawn at 540×960: the same picture, smaller


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def deliver(app: Flask, world: World, sms: RecordingSender, *, size: str = "S",
            phone: str = "010-1234-5678") -> tuple[str, str]:
    """A parcel stored at MAPO-001 and the code its SMS carried."""
    from locker_app.jobs import relay_job

    api = Api(app.test_client(), world)
    parcel = api.reserve(size=size, phone=phone).get_json()
    assert api.deposit(parcel["parcel_id"]).status_code == 200
    with app.app_context():
        relay_job()
    return parcel["parcel_id"], code_from(sms.sent[-1]["body"])


def return_code_for(app: Flask, parcel_id: str, pepper: str) -> str:
    """Expire a stored parcel and give its courier a return code (what the returns flow does)."""
    from locker_app.extensions import db
    from locker_app.models import Parcel
    from locker_app.services.issue_codes import issue_code

    with app.app_context():
        now = app.extensions["locker.clock"]()
        parcel = db.session.get(Parcel, parcel_id)
        assert parcel is not None
        parcel.state = "expired"
        parcel.expired_at = now
        code = issue_code(db.session, parcel, "return", pepper, now)
        db.session.commit()
    return code


def wrong_codes(app: Flask, world: World, count: int) -> list[Any]:
    api = Api(app.test_client(), world)
    return [api.pickup(f"{n:08d}").status_code for n in range(count)]


# Stands in for the kiosk's speech engine: each utterance the page speaks is kept in window.spoken.
SPEECH_STUB = """
window.spoken = [];
speechSynthesis.getVoices = () => [{ lang: 'ko-KR', name: 'stub ko' }, { lang: 'en-US', name: 'stub en' }];
speechSynthesis.speak = (u) => window.spoken.push({ text: u.text, lang: u.lang });
speechSynthesis.cancel = () => {};
"""


def spoken(page: Any) -> list[dict[str, str]]:
    """What the page has said so far (the page's CSP allows no eval, so this reads rather than waits)."""
    return list(page.evaluate("window.spoken"))


def courier_with_pin(app: Flask, phone: str = "010-9876-5432", carrier: str = "Demo Express",
                     name: str = "Park") -> tuple[str, str]:
    """A courier made the way an operator does (`create-courier ... --phone`): (kiosk PIN, API token)."""
    result = app.test_cli_runner().invoke(args=["locker", "create-courier", "--carrier", carrier, "--name", name,
                                                "--phone", phone])
    assert result.exit_code == 0, (result.output, result.exception)
    lines = result.output.strip().splitlines()
    pins = [line.split(":", 1)[1].strip() for line in lines if line.startswith("kiosk-pin:")]
    assert len(pins) == 1, result.output
    return pins[0], lines[-1].strip()


def relay(app: Flask) -> None:
    from locker_app.jobs import relay_job

    with app.app_context():
        relay_job()


def enter(page: Any, digits: str) -> None:
    """Digits typed on a physical keypad, then Enter."""
    page.keyboard.type(digits)
    page.keyboard.press("Enter")


@dataclass
class Shots:
    """What a screenshot script drives: the service on its own database, and Chromium."""

    app: Flask
    world: World
    sms: RecordingSender
    clock: FrozenClock
    base: str
    browser: Any

    def fresh(self, *init_scripts: str, provisioned: bool = True) -> Any:
        """A new kiosk (empty local storage) on its first screen, at half the kiosk's size."""
        size = {"width": KIOSK_SIZE[0] // SCREENSHOT_SCALE, "height": KIOSK_SIZE[1] // SCREENSHOT_SCALE}
        page = self.browser.new_context(viewport=size, locale="ko-KR").new_page()
        for script in init_scripts:
            page.add_init_script(script)
        page.goto(f"{self.base}/kiosk/" + (f"?token={self.world.kiosk_token}" if provisioned else ""))
        page.wait_for_selector("#screen-home:not([hidden]), #screen-setup:not([hidden])")
        page.wait_for_timeout(300)  # the site name arrives a moment later
        return page

    def shot(self, page: Any, name: str, visible: str) -> None:
        page.wait_for_selector(f"{visible}:not([hidden])")
        page.wait_for_timeout(150)
        page.screenshot(path=str(SCREENSHOTS / f"kiosk-{name}.png"))
        print(f"docs/screenshots/kiosk-{name}.png")

    def sql(self, statement: str) -> None:
        """Puts the database in a state no API call reaches (a site's setting, an admin lock)."""
        with self.app.app_context():
            db.session.execute(sa.text(statement))
            db.session.commit()


def take_screenshots(take: Callable[[Shots], None]) -> int:
    """Runs one screenshot script's `take` on a throw-away SQLite database; the script's exit status."""
    reason = browser_missing()
    if reason:
        print(f"cannot take screenshots: {reason}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/locker.db"
        _migrate(url)
        sms, clock = RecordingSender(), FrozenClock(T0)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CLOCK": clock, "SMS_SENDER": sms, "SMS_KICK": False,
                          "CODE_PEPPER": PEPPER, "SECRET_KEY": "screenshots"})
        world = seed_world(app)
        with live_server(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            take(Shots(app, world, sms, clock, base, browser))
            browser.close()
        with app.app_context():
            db.engine.dispose()
    return 0
