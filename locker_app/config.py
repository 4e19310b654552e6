"""Settings from LOCKER_* and TWILIO_* environment variables, with safe defaults for development."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .sealing.keys import DEV_SEAL_KEY

log = logging.getLogger(__name__)

DEV_SECRET = "dev-only-secret-key-change-me"  # noqa: S105 - refused outside development, see below
DEV_PEPPER = "dev-only-code-pepper-change-me"


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_flag(value: str | None) -> bool | None:
    """None for unset or 'auto', so the code using it can decide from the request."""
    if value is None or value.strip().lower() in {"", "auto"}:
        return None
    return _flag(value)


def load_settings(env: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    default_db = "sqlite:///" + str(Path(instance_path) / "locker.db")
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": env.get("LOCKER_DATABASE_URL") or default_db,
        "SECRET_KEY": env.get("LOCKER_SECRET_KEY") or DEV_SECRET,
        # `id:secret` (or a bare secret, id "1"); codes remember the id they were issued under.
        "CODE_PEPPER": env.get("LOCKER_CODE_PEPPER") or DEV_PEPPER,
        # Retired peppers whose codes still work until they end: `id:secret,id:secret`.
        "CODE_PEPPERS_OLD": env.get("LOCKER_CODE_PEPPERS_OLD") or "",
        # Seals the code of an SMS waiting in the outbox (locker_app/sealing): `id:key`, and retired `id:key,...`.
        "SEAL_KEY": env.get("LOCKER_SEAL_KEY") or DEV_SEAL_KEY,
        "SEAL_KEYS_OLD": env.get("LOCKER_SEAL_KEYS_OLD") or "",
        "SMS_BACKEND": (env.get("LOCKER_SMS_BACKEND") or "console").lower(),
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN"),
        "TWILIO_FROM_NUMBER": env.get("TWILIO_FROM_NUMBER"),
        # Only when a Twilio Webhook Rule signs callbacks with a SharedKey instead of the Auth Token.
        "TWILIO_WEBHOOK_SHARED_KEY_SECRET": env.get("TWILIO_WEBHOOK_SHARED_KEY_SECRET"),
        "TWILIO_MESSAGING_SERVICE_SID": env.get("TWILIO_MESSAGING_SERVICE_SID"),
        "TWILIO_BASE_URL": env.get("LOCKER_TWILIO_BASE_URL"),
        "TWILIO_TIMEOUT_SECONDS": float(env.get("LOCKER_TWILIO_TIMEOUT_SECONDS") or 10),
        # The domestic sender for Korea (locker_app/korea_sms, docs/deploy.md "SMS in Korea"): which countries use
        # it (`KR=solapi`; a site's sms_sender overrides), SOLAPI's keys, the registered 발신번호, the 알림톡
        # channel and templates (`delivery.ko=TEMPLATE_ID,...`), the secret in its webhook URL.
        "SMS_SENDER_BY_COUNTRY": env.get("LOCKER_SMS_SENDER_BY_COUNTRY") or "",
        "SOLAPI_API_KEY": env.get("SOLAPI_API_KEY"),
        "SOLAPI_API_SECRET": env.get("SOLAPI_API_SECRET"),
        "SOLAPI_FROM_NUMBER": env.get("SOLAPI_FROM_NUMBER"),
        "SOLAPI_KAKAO_PF_ID": env.get("SOLAPI_KAKAO_PF_ID"),
        "SOLAPI_KAKAO_TEMPLATES": env.get("SOLAPI_KAKAO_TEMPLATES") or "",
        "SOLAPI_WEBHOOK_TOKEN": env.get("SOLAPI_WEBHOOK_TOKEN"),
        "SOLAPI_BASE_URL": env.get("LOCKER_SOLAPI_BASE_URL"),
        # Cost caps against SMS pumping (sms/outbox.py) and body redaction after pickup (sms/redact.py).
        "SMS_MAX_PER_PARCEL": int(env.get("LOCKER_SMS_MAX_PER_PARCEL") or 5),
        "SMS_DAILY_CAP_PER_NUMBER": int(env.get("LOCKER_SMS_DAILY_CAP_PER_NUMBER") or 10),  # per carrier
        "SMS_DAILY_CAP_PER_NUMBER_ALL": int(env.get("LOCKER_SMS_DAILY_CAP_PER_NUMBER_ALL") or 30),
        "SMS_DAILY_FLOOR_PER_CARRIER": int(env.get("LOCKER_SMS_DAILY_FLOOR_PER_CARRIER") or 3),
        "SMS_HOURLY_CAP_PER_COURIER": int(env.get("LOCKER_SMS_HOURLY_CAP_PER_COURIER") or 60),
        "SMS_HOURLY_CAP_PER_CARRIER": int(env.get("LOCKER_SMS_HOURLY_CAP_PER_CARRIER") or 1000),
        "SMS_HOURLY_CAP_TOTAL": int(env.get("LOCKER_SMS_HOURLY_CAP_TOTAL") or 5000),
        "TWILIO_REDACT": _flag(env.get("LOCKER_TWILIO_REDACT")),
        "PUBLIC_URL": (env.get("LOCKER_PUBLIC_URL") or "").rstrip("/") or None,
        # Send the SMS from the web process right after the deposit commits, instead of waiting for
        # the scheduler's next relay run.
        "SMS_KICK": _flag(env.get("LOCKER_SMS_KICK"), default=True),
        # SMS in flight (sms/relay.py): 40 SMS/s at a real provider's 250-300 ms needs 10-12; 16 leaves room for
        # a wave's hiccups (bench/README.md, "Fourth session"; ADR 0017).
        "SMS_RELAY_CONCURRENCY": int(env.get("LOCKER_SMS_RELAY_CONCURRENCY") or 16),
        "PRODUCTION": _flag(env.get("LOCKER_PRODUCTION")),
        # The public directory's map (/sites/): tiles load in the visitor's browser; empty turns the map off.
        "MAP_TILES_URL": env.get("LOCKER_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        "MAP_ATTRIBUTION": env.get("LOCKER_MAP_ATTRIBUTION", "© OpenStreetMap contributors"),
        "MAX_CONTENT_LENGTH": int(env.get("LOCKER_MAX_BODY_BYTES") or 64 * 1024),
        "IDEMPOTENCY_TTL_HOURS": 24,
        # Phone numbers and SMS texts of finished parcels are forgotten after this many days.
        "RETENTION_DAYS": int(env.get("LOCKER_RETENTION_DAYS") or 30),
        # No pool_pre_ping: locker_app/database.py pings only connections that sat idle (a round trip saved per
        # checkout); pool_recycle retires connections before a firewall or server idle timeout cuts them.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        # Operations (docs/deploy.md): proxies in front that set X-Forwarded-* (0: trust none), log format.
        "PROXY_FIX": int(env.get("LOCKER_PROXY_FIX") or 0),
        "LOG_FORMAT": (env.get("LOCKER_LOG_FORMAT") or "text").lower(),
        "LOG_LEVEL": (env.get("LOCKER_LOG_LEVEL") or "INFO").upper(),
        # One log line per request from the app itself (gunicorn's access log stays off); default: with json.
        "ACCESS_LOG": _flag(env.get("LOCKER_ACCESS_LOG"),
                            default=(env.get("LOCKER_LOG_FORMAT") or "").lower() == "json"),
        "JSON_SORT_KEYS": False,
        # Admin session cookie `Secure` flag: 1/0, or unset/auto (Secure except plain http to a loopback
        # host outside production, so `make run` works on http://127.0.0.1:5000); see locker_app/admin.
        "COOKIE_SECURE": _optional_flag(env.get("LOCKER_COOKIE_SECURE")),
        # Time zone for times shown on admin pages and for date filters typed there (JSON is always UTC).
        "ADMIN_TIMEZONE": env.get("LOCKER_ADMIN_TZ") or "Asia/Seoul",
        # Offline verifiers (locker_app/offline, ADR 0009): scrypt's N (lower only for tests and development),
        # and whether to hash at the commit on the request's thread instead of in the background (tests).
        "OFFLINE_SCRYPT_N": int(env.get("LOCKER_OFFLINE_SCRYPT_N") or 2**15),
        "OFFLINE_VERIFIERS_INLINE": _flag(env.get("LOCKER_OFFLINE_VERIFIERS_INLINE")),
    }
    from .web.limits import limit_settings

    settings.update(limit_settings(env))
    return settings


def check_settings(settings: Mapping[str, Any]) -> None:
    """Refuse development secrets in production; warn about them elsewhere."""
    weak = [name for name, dev in (("SECRET_KEY", DEV_SECRET), ("CODE_PEPPER", DEV_PEPPER),
                                   ("SEAL_KEY", DEV_SEAL_KEY))
            if settings.get(name) == dev]
    if weak and settings.get("PRODUCTION"):
        raise RuntimeError(f"set LOCKER_{'/'.join(weak)} before running in production")
    if not isinstance(settings.get("RETENTION_DAYS", 30), int) or settings.get("RETENTION_DAYS", 30) < 1:
        raise RuntimeError("LOCKER_RETENTION_DAYS must be a whole number of days, at least 1")
    if settings.get("LOG_FORMAT", "text") not in {"text", "json"}:
        raise RuntimeError("LOCKER_LOG_FORMAT must be 'text' or 'json'")
    if not isinstance(settings.get("PROXY_FIX", 0), int) or settings.get("PROXY_FIX", 0) < 0:
        raise RuntimeError("LOCKER_PROXY_FIX must be the number of proxies in front (0 or more)")
    from .services.codes import parse_peppers

    try:
        parse_peppers(str(settings.get("CODE_PEPPER") or ""), str(settings.get("CODE_PEPPERS_OLD") or ""))
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None
    caps = ("SMS_DAILY_CAP_PER_NUMBER", "SMS_DAILY_CAP_PER_NUMBER_ALL", "SMS_HOURLY_CAP_PER_COURIER",
            "SMS_HOURLY_CAP_PER_CARRIER", "SMS_HOURLY_CAP_TOTAL")
    if any(not isinstance(settings.get(name, 1), int) or settings.get(name, 1) < 1 for name in caps) or \
            not isinstance(settings.get("SMS_DAILY_FLOOR_PER_CARRIER", 0), int) or \
            settings.get("SMS_DAILY_FLOOR_PER_CARRIER", 0) < 0:
        raise RuntimeError("the LOCKER_SMS_*_CAP_* settings are whole numbers of at least 1 (the floor at least 0)")
    from .sealing.keys import parse_seal_keys

    try:
        parse_seal_keys(str(settings.get("SEAL_KEY") or ""), str(settings.get("SEAL_KEYS_OLD") or ""))
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None
    scrypt_n = settings.get("OFFLINE_SCRYPT_N", 2**15)
    if not isinstance(scrypt_n, int) or scrypt_n < 2 or scrypt_n & (scrypt_n - 1):
        raise RuntimeError("LOCKER_OFFLINE_SCRYPT_N must be a power of 2")
    if scrypt_n < 2**10:
        raise RuntimeError("LOCKER_OFFLINE_SCRYPT_N must be at least 1024 (the agent refuses less)")
    if settings.get("SMS_BACKEND") not in {"console", "twilio"}:
        raise RuntimeError("LOCKER_SMS_BACKEND must be 'console' or 'twilio'")
    if settings.get("SMS_BACKEND") == "twilio":
        missing = [n for n in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not settings.get(n)]
        if not (settings.get("TWILIO_FROM_NUMBER") or settings.get("TWILIO_MESSAGING_SERVICE_SID")):
            missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        if missing:
            raise RuntimeError("the twilio SMS backend needs " + ", ".join(missing))
    from .korea_sms.settings import check_domestic_settings

    check_domestic_settings(settings)


def environment() -> Mapping[str, str]:
    return os.environ
