"""Entry point for gunicorn (`gunicorn wsgi:app`) and the CLI (`flask --app wsgi locker ...`)."""

import logging

from locker_app import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app()
