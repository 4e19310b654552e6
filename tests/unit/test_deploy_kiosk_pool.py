"""The kiosks' own gunicorn pool (ADR 0015): the main pool's settings, its own address, and the proxy sends
/kiosk/ there, so a pickup never queues behind the couriers' requests."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_kiosk_pool_has_the_main_pools_settings_on_its_own_address():
    main = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    kiosk = runpy.run_path(str(DEPLOY / "gunicorn-kiosk.conf.py"))
    assert kiosk["bind"] == "127.0.0.1:8001" != main["bind"]
    for name in ("wsgi_app", "timeout", "max_requests", "accesslog", "logconfig_dict", "worker_tmp_dir"):
        assert kiosk[name] == main[name], name
    for hook in ("on_starting", "post_worker_init", "worker_exit", "child_exit"):
        assert kiosk[hook].__code__.co_filename == main[hook].__code__.co_filename, hook


def test_the_proxy_routes_kiosk_requests_to_the_kiosk_pool_and_its_unit_runs_it():
    nginx = (DEPLOY / "nginx-locker.conf").read_text()
    assert re.search(r"upstream locker_kiosk \{\s*server 127\.0\.0\.1:8001;", nginx)
    assert re.search(r"map \$uri \$locker_upstream \{\s*~\^/kiosk/ locker_kiosk;\s*default\s+locker_web;", nginx)
    assert "proxy_pass http://$locker_upstream;" in nginx
    unit = (DEPLOY / "locker-kiosk-web.service").read_text()
    assert "--config deploy/gunicorn-kiosk.conf.py" in unit
    # Its own metrics directory: gunicorn's on_starting empties it, which must not wipe the main pool's.
    assert "PROMETHEUS_MULTIPROC_DIR=/run/locker-kiosk-web/" in unit


def test_the_kiosk_pool_runs_before_the_couriers_when_the_host_is_busy_and_the_bench_runs_it_so():
    from bench.server import KIOSK_UNIT, unit_nice

    assert unit_nice(KIOSK_UNIT) < 0
    assert unit_nice(DEPLOY / "locker-web.service") == 0
