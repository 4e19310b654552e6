"""Log format (readable text, or one JSON object a line), the request id on every line, and a last
safety net that masks codes, tokens and phone numbers in whatever a log line ends up holding."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# The console sender prints the code on purpose: it stands in for the resident's phone in development
# (and is refused in production).
UNMASKED_LOGGERS = frozenset({"locker.sms.console"})



def _spelled(word: str) -> str:
    """A pattern for `word` as a URL may spell it: any character may be percent-encoded (`t%6fken=` is
    `token=` to the server that decodes it), so the mask matches what the server reads, not the bytes."""
    return "".join(f"(?:{re.escape(c)}|%{ord(c):02x})" for c in word)


_QUERY_SECRET = "|".join(_spelled(word) for word in ("token", "password", "secret"))
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(rf"(?i)((?<![A-Za-z0-9])(?:{_QUERY_SECRET})(?:=|%3d))[^&\s\"']+"), r"\1[redacted]"),
    # Phone numbers: international (+82 10-1234-5678), Korean domestic (010-1234-5678), bare digit runs.
    # At least 7 digits after the +, so that a time zone offset (gunicorn's "+0000]") is not a phone.
    (re.compile(r"\+(?=(?:\d[\s-]?){7})\d{1,3}[\s-]?\d{1,4}(?:[\s-]?\d{2,4}){1,3}(?![\dA-Za-z])"), "[phone]"),
    (re.compile(r"(?<![\dA-Za-z])0\d{1,2}[\s.-]?\d{3,4}[\s.-]?\d{4}(?![\dA-Za-z])"), "[phone]"),
    (re.compile(r"(?<![\dA-Za-z])\d{9,15}(?![\dA-Za-z])"), "[number]"),
    # One-time codes: any 8 digits standing on their own.
    (re.compile(r"(?<![\dA-Za-z])\d{8}(?![\dA-Za-z])"), "********"),
)


def mask(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


class MaskSecrets(logging.Filter):
    """Renders the message (and any traceback) and masks it before a handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in UNMASKED_LOGGERS or getattr(record, "_masked", False):
            return True
        record.msg = mask(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        record._masked = True
        return True


class AddRequestId(logging.Filter):
    """Puts the id of the request being served (X-Request-ID) on the record, or "-" outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


def current_request_id() -> str | None:
    from flask import g, has_app_context

    return g.get("request_id") if has_app_context() else None


# Attributes every LogRecord has; anything else was passed with `extra=` and goes into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "_masked",
                                                                        "request_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def make_handler(fmt: str, stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(AddRequestId())
    handler.addFilter(MaskSecrets())
    return handler


def _ours(handler: logging.Handler) -> bool:
    return any(isinstance(f, MaskSecrets) for f in handler.filters)


def configure_logging(env: Mapping[str, str]) -> None:
    """Root logging for wsgi.py (gunicorn, `flask ...`): LOCKER_LOG_FORMAT text|json, LOCKER_LOG_LEVEL."""
    fmt = (env.get("LOCKER_LOG_FORMAT") or "text").lower()
    level = (env.get("LOCKER_LOG_LEVEL") or "INFO").upper()
    root = logging.getLogger()
    root.setLevel(level)
    if any(_ours(h) for h in root.handlers):  # gunicorn.conf.py's logconfig_dict got here first
        return
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(make_handler(fmt))
    # `flask run`'s development server logs every request; the locker agent polls every 2 s, which buried the
    # SMS lines `make run` shows in a page of "GET /kiosk/v1/commands". Its warnings and errors stay.
    if (env.get("LOCKER_DEV_ACCESS_LOG") or "").lower() not in ("1", "true", "yes", "on"):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Gunicorn's own lines in the same format, when gunicorn runs without deploy/gunicorn.conf.py.
    for name in ("gunicorn.error", "gunicorn.access"):
        for handler in logging.getLogger(name).handlers:
            if not _ours(handler):
                handler.setFormatter(make_handler(fmt).formatter)
                handler.addFilter(AddRequestId())
                handler.addFilter(MaskSecrets())


def gunicorn_logconfig(env: Mapping[str, str]) -> dict[str, Any]:
    """A `logconfig_dict` for gunicorn: its lines and the app's through one handler on stdout; gunicorn's
    access lines only with LOCKER_GUNICORN_ACCESS_LOG=1."""
    access = (env.get("LOCKER_GUNICORN_ACCESS_LOG") or "").lower() in ("1", "true", "yes", "on")
    fmt = (env.get("LOCKER_LOG_FORMAT") or "text").lower()
    level = (env.get("LOCKER_LOG_LEVEL") or "INFO").upper()
    formatter: dict[str, Any] = ({"()": "locker_app.ops.logs.JsonFormatter"} if fmt == "json"
                                 else {"format": TEXT_FORMAT})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "locker_app.ops.logs.AddRequestId"},
                    "mask": {"()": "locker_app.ops.logs.MaskSecrets"}},
        "formatters": {"locker": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                                 "formatter": "locker", "filters": ["request_id", "mask"]},
                     "null": {"class": "logging.NullHandler"}},
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False},
            # gunicorn writes its access lines whenever a logconfig_dict is set, whatever `accesslog` says:
            # off unless asked for (the app writes its own line per request, docs/deploy.md).
            "gunicorn.access": ({"level": level, "handlers": ["console"], "propagate": False} if access
                                else {"level": "CRITICAL", "handlers": ["null"], "propagate": False}),
        },
    }
