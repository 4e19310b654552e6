"""The locker service: create_app builds a configured Flask app; nothing starts on import."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify

from .clock import system_clock
from .config import check_settings, load_settings
from .database import configure_engine
from .extensions import db, migrate
from .sealing.keys import parse_seal_keys
from .services.codes import parse_peppers

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_settings(os.environ, app.instance_path))
    app.config.update(config or {})
    check_settings(app.config)
    app.config["CODE_PEPPERS"] = parse_peppers(app.config["CODE_PEPPER"], app.config.get("CODE_PEPPERS_OLD") or "")
    app.config["SEAL_KEYS"] = parse_seal_keys(app.config["SEAL_KEY"], app.config.get("SEAL_KEYS_OLD") or "")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    with app.app_context():
        configure_engine(db.engine)

    from .sms.kick import Kicker
    from .sms.senders import build_sender

    app.extensions["locker.clock"] = app.config.get("CLOCK") or system_clock
    app.extensions["locker.sms_sender"] = app.config.get("SMS_SENDER") or build_sender(app.config)
    app.extensions["locker.sms_kicker"] = Kicker(app)

    from . import cli_data, cli_ops  # noqa: F401 - they add their commands to the `locker` group
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .cli import locker
    from .kiosk_api import bp as kiosk_api_bp
    from .kiosk_page import bp as kiosk_page_bp
    from .korea_sms import cli as korea_sms_cli  # noqa: F401 - set-site-sender
    from .korea_sms.webhook import bp as solapi_webhooks_bp
    from .openapi import bp as openapi_bp
    from .sealing import cli as _sealing_cli  # noqa: F401 - `seal-keys`
    from .web.headers import install_security_headers
    from .web.limits import install_limits
    from .web.parsing import install_input_guard
    from .web.problems import register_error_handlers
    from .web.unavailable import register_unavailable_handler
    from .webhooks import bp as webhooks_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(kiosk_api_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(solapi_webhooks_bp)
    app.register_blueprint(kiosk_page_bp)
    app.register_blueprint(admin_bp)
    app.cli.add_command(locker)
    register_error_handlers(app)
    from . import ops

    ops.init_app(app)
    install_input_guard(app)  # after the request id and metrics hooks, so refusals are counted and logged too
    app.register_blueprint(openapi_bp)
    register_unavailable_handler(app)
    install_limits(app)
    install_security_headers(app)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok"})

    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    return app
