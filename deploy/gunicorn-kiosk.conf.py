"""Gunicorn settings for the kiosks' own pool of the locker web service (docs/deploy.md, ADR 0015).

The same app as deploy/gunicorn.conf.py, in processes of its own that the proxy sends only /kiosk/ to:
a resident at the touchscreen never waits behind a morning's courier requests queued in the main pool
(measured in bench/README.md, "Issue 18"). Every other setting is the main pool's, read from that file.
Run from the checkout: `gunicorn --config deploy/gunicorn-kiosk.conf.py`.
"""

import runpy
from pathlib import Path

_main_pool = runpy.run_path(str(Path(__file__).with_name("gunicorn.conf.py")))
globals().update({name: value for name, value in _main_pool.items() if not name.startswith("__")})

bind = "127.0.0.1:8001"
# A kiosk's agent asks every 2 s and a pickup is one short request. 2 sync workers: an estimate for a district's
# ~100 kiosks (50 small requests a second), not measured; the wave bench drives one kiosk.
workers = 2
worker_class = "sync"
