"""`flask --app wsgi locker ...`: sites, couriers, kiosks, admins, the demo, and the job process."""

from __future__ import annotations

import getpass
import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .extensions import current_session, db
from .models import Site
from .services import provisioning
from .services.errors import ServiceError

locker = AppGroup("locker", help="Manage the locker service.")


def _now() -> datetime:
    return current_app.extensions["locker.clock"]()


@contextmanager
def _transaction() -> Iterator[None]:
    """One transaction per command; a refused input is a clean error message, not a traceback."""
    try:
        yield
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.detail) from None


@locker.command("create-site")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--tz", default="Asia/Seoul", show_default=True)
@click.option("--compartments", required=True, help="e.g. S:10,M:6,L:3,XL:1 (labelled A01, A02, ...)")
@click.option("--district")
@click.option("--country", default="KR", show_default=True, help="phone numbers are read in its format")
@click.option("--lat", type=float)
@click.option("--lon", type=float)
@click.option("--language", type=click.Choice(["ko", "en"]), default="ko", show_default=True)
@click.option("--sms-name", help="short name used in SMS (20 characters at most; default: --name)")
@click.option("--accessible", default="", help="labels reachable from a wheelchair, e.g. A01,A11")
@click.option("--sms-sender", type=click.Choice(["twilio", "solapi", "console"]),
              help="this site's SMS sender (default: its country's, LOCKER_SMS_SENDER_BY_COUNTRY)")
def create_site(code: str, name: str, tz: str, compartments: str, district: str | None, country: str,
                lat: float | None, lon: float | None, language: str, sms_name: str | None, accessible: str,
                sms_sender: str | None = None) -> None:
    """Create a site and its compartments."""
    labels = tuple(label.strip().upper() for label in accessible.split(",") if label.strip())
    with _transaction():
        site = provisioning.create_site(current_session(), _now(), code, name, compartments, tz=tz, district=district,
                                        country=country, lat=lat, lon=lon, language=language,
                                        sms_name=sms_name, accessible=labels)
        site.sms_sender = sms_sender
        count = len(site.compartments)
    click.echo(f"site {code}: {count} compartments")


@locker.command("create-courier")
@click.option("--carrier", "carrier_name", required=True)
@click.option("--name", required=True)
def create_courier(carrier_name: str, name: str) -> None:
    """Create a courier; prints the API token (shown only now) as the last line."""
    with _transaction():
        _, token = provisioning.create_courier(current_session(), _now(), carrier_name, name)
    click.echo(f"courier {name} of {carrier_name}; API token:")
    click.echo(token)


@locker.command("create-kiosk")
@click.argument("site_code")
def create_kiosk(site_code: str) -> None:
    """Create a kiosk for a site; prints its device token (shown only now) as the last line."""
    with _transaction():
        _, token = provisioning.create_kiosk(current_session(), _now(), site_code)
    click.echo(f"kiosk for {site_code}; device token:")
    click.echo(token)


@locker.command("create-admin")
@click.argument("username")
@click.option("--role", type=click.Choice(["operator", "viewer"]), default="operator", show_default=True)
@click.option("--token", "with_token", is_flag=True, help="also print an admin API token as the last line")
def create_admin(username: str, role: str, with_token: bool) -> None:
    """Create an admin (password from LOCKER_ADMIN_PASSWORD or a prompt)."""
    password = os.environ.get("LOCKER_ADMIN_PASSWORD") or getpass.getpass("password: ")
    with _transaction():
        _, token = provisioning.create_admin(current_session(), _now(), username, password, role, with_token)
    click.echo(f"admin {username} ({role})")
    if token:
        click.echo(token)


def _demo_file() -> Path:
    return Path(current_app.instance_path) / "demo.env"


@locker.command("seed-demo")
def seed_demo() -> None:
    """Make a demo site with a courier, a kiosk and an admin, and print their credentials.

    Tokens are stored only as digests, so the credentials of the first run are kept in
    instance/demo.env (development only) and printed again on later runs.
    """
    demo = _demo_file()
    if db.session.scalar(select(Site.id).where(Site.code == "MAPO-001")) is not None:
        if demo.exists():
            click.echo("demo site MAPO-001 exists already")
            _print_demo(demo.read_text())
        else:
            click.echo("demo site MAPO-001 exists already; its credentials were not kept")
        return
    now = _now()
    password = os.environ.get("LOCKER_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    with _transaction():
        provisioning.create_site(current_session(), now, "MAPO-001", "마포구청 안심택배함", "S:10,M:6,L:3,XL:1",
                                 district="Mapo-gu", lat=37.5663, lon=126.9019, sms_name="마포구청 안심택배",
                                 accessible=("A01", "A11"))
        provisioning.create_site(current_session(), now, "MAPO-002", "망원동 주민센터 안심택배함", "S:6,M:4,L:2,XL:1",
                                 district="Mapo-gu", lat=37.5556, lon=126.9104, sms_name="망원동 안심택배")
        _, courier_token = provisioning.create_courier(current_session(), now, "Demo Express", "Kim Courier")
        _, kiosk_token = provisioning.create_kiosk(current_session(), now, "MAPO-001")
        _, admin_token = provisioning.create_admin(current_session(), now, "admin", password, "operator", True)
    text = (
        f"COURIER_TOKEN={courier_token}\nKIOSK_TOKEN={kiosk_token}\n"
        f"ADMIN_USER=admin\nADMIN_PASSWORD={password}\nADMIN_TOKEN={admin_token}\n"
    )
    demo.parent.mkdir(parents=True, exist_ok=True)
    demo.write_text(text)
    demo.chmod(0o600)
    click.echo("demo sites MAPO-001 and MAPO-002 created")
    _print_demo(text)


def _print_demo(text: str) -> None:
    values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    base = "http://127.0.0.1:5000"
    click.echo(f"  kiosk:  {base}/kiosk/?token={values.get('KIOSK_TOKEN', '')}")
    click.echo(f"  admin:  {base}/admin/  (user {values.get('ADMIN_USER')}, password {values.get('ADMIN_PASSWORD')})")
    click.echo(f"  courier API token: {values.get('COURIER_TOKEN')}")
    click.echo(f"  admin API token:   {values.get('ADMIN_TOKEN')}")
    click.echo(f"  (saved in {_demo_file()}; `. {_demo_file()}` sets them in a shell)")


@locker.command("scheduler")
def scheduler() -> None:
    """Run the job process (reservation timeouts, SMS relay, ...) until stopped."""
    from .jobs import run_scheduler

    run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]


_OFFSET = re.compile(r"^\+([0-9]+)(min|m|h|d)$")
_UNITS = {"min": "minutes", "m": "minutes", "h": "hours", "d": "days"}


def parse_at(value: str, now: datetime) -> datetime:
    offset = _OFFSET.match(value.strip())
    if offset:
        return now + timedelta(**{_UNITS[offset.group(2)]: int(offset.group(1))})
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("use ISO-8601 (2026-11-25T09:30:00+09:00) or +30min, +25h, +8d",
                                 param_hint="--at") from exc
    if when.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. +09:00 or Z", param_hint="--at")
    return when.astimezone(UTC)


@locker.command("run-jobs")
@click.option("--at", "at", help="ISO-8601 time (2026-11-25T09:30:00+09:00) or an offset from now (+30min, +25h)")
def run_jobs(at: str | None) -> None:
    """Run every job once, as of now or of --at."""
    from .clock import FrozenClock
    from .jobs import run_all_once

    when = _now()
    if at:
        when = parse_at(at, when)
        clock: Callable[[], datetime] = FrozenClock(when)
        current_app.extensions["locker.clock"] = clock
    for name, count in run_all_once(when).items():
        click.echo(f"{name}: {count}")


@locker.command("set-policy")
@click.argument("site_code")
@click.option("--hold-minutes", "reservation_hold_minutes", type=int, help="how long a reservation holds a door")
@click.option("--free-hours", "free_hours", type=int, help="free storage after the deposit")
@click.option("--fee-per-day", "fee_per_day", type=int, help="fee per started day after the free hours")
@click.option("--currency", help="ISO 4217 code, e.g. KRW")
@click.option("--reminder-after-hours", "reminder_after_hours", type=int, help="first reminder (0: none)")
@click.option("--reminder-before-free-end-hours", "reminder_before_free_end_hours", type=int,
              help="reminder before the free hours end (0: none)")
@click.option("--expiry-days", "expiry_days", type=int, help="days until an uncollected parcel goes back")
def set_policy(site_code: str, **fields: object) -> None:
    """Change a site's storage policy (options left out stay as they are) and print it."""
    from .services.parcels import find_site
    from .services.policy import update_policy

    with _transaction():
        session = current_session()
        site = find_site(session, site_code)
        policy = update_policy(session, _now(), site, "cli", **fields)
    for name, value in policy.items():
        click.echo(f"{name}: {value}")
