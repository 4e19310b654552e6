"""docs/deploy.md and deploy/ stay in step with the code."""

from __future__ import annotations

import configparser
import re
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def _variables_read_by_the_service() -> set[str]:
    found: set[str] = set()
    for path in [*ROOT.joinpath("locker_app").rglob("*.py"), ROOT / "wsgi.py"]:
        found |= set(re.findall(r"""(?:env|environ)\.get\(["']((?:LOCKER|TWILIO)_[A-Z0-9_]+)""", path.read_text()))
    return found


def test_every_setting_the_service_reads_is_in_the_configuration_reference():
    names = _variables_read_by_the_service()
    assert len(names) > 20, names  # the scan itself works
    table = GUIDE.split("### Configuration reference", 1)[1].split("\n## ", 1)[0]
    missing = sorted(name for name in names if f"`{name}`" not in table)
    assert missing == [], f"document these in docs/deploy.md: {missing}"


def test_the_gunicorn_config_loads_and_logs_as_json(monkeypatch):
    monkeypatch.setenv("LOCKER_LOG_FORMAT", "json")
    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert settings["wsgi_app"] == "wsgi:app" and settings["workers"] == 2
    assert settings["logconfig_dict"]["formatters"]["locker"] == {"()": "locker_app.ops.logs.JsonFormatter"}
    assert settings["logconfig_dict"]["handlers"]["console"]["filters"] == ["request_id", "mask"]


def test_the_units_run_the_documented_commands_with_one_environment_file():
    units = {}
    for name in ("locker-web", "locker-scheduler"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(ROOT / "deploy" / f"{name}.service")
        units[name] = parser["Service"]
    assert "--config deploy/gunicorn.conf.py" in units["locker-web"]["ExecStart"]
    assert units["locker-scheduler"]["ExecStart"].endswith("flask --app wsgi locker scheduler")
    assert units["locker-web"]["EnvironmentFile"] == units["locker-scheduler"]["EnvironmentFile"]
    assert "PROMETHEUS_MULTIPROC_DIR=/run/locker-web/" in units["locker-web"]["Environment"]
