"""Entry point for gunicorn (`gunicorn wsgi:app`) and the CLI (`flask --app wsgi locker ...`)."""

import os

from locker_app import create_app
from locker_app.ops.logs import configure_logging

# LOCKER_LOG_FORMAT=json in production (docs/deploy.md); the readable default keeps the console
# SMS sender's messages easy to read under `make run`.
configure_logging(os.environ)
app = create_app()
