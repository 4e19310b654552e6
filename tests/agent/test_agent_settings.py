"""The agent's settings: the contract's flags, the same from LOCKER_AGENT_* variables, all documented,
and the kiosk unit runs the console script."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

from locker_agent.doormap import DoorMap, Lock
from locker_agent.main import parse_args

ROOT = Path(__file__).resolve().parents[2]


def test_the_contracts_command_line():
    settings = parse_args(["--server", "https://locker.example.org", "--kiosk-token", "t", "--board",
                           "socket://127.0.0.1:9000", "--doors", "A01=0:0,A02=0:1,B17=1:15", "--listen",
                           "127.0.0.1:8765", "--state-dir", "/tmp/agent"], environ={})
    assert settings.server == "https://locker.example.org" and settings.board == "socket://127.0.0.1:9000"
    assert settings.doors.lock_of("B17") == Lock(1, 15) and settings.listen == ("127.0.0.1", 8765)
    assert settings.state_dir == Path("/tmp/agent")


def test_the_same_from_the_environment():
    settings = parse_args([], environ={"LOCKER_AGENT_SERVER": "http://s", "LOCKER_AGENT_KIOSK_TOKEN": "t",
                                       "LOCKER_AGENT_BOARD": "loop://", "LOCKER_AGENT_DOORS": "A01=0:3",
                                       "LOCKER_AGENT_LEFT_OPEN_MINUTES": "5"})
    assert settings.doors.lock_of("A01") == Lock(0, 3) and settings.left_open_after == 300
    assert settings.listen == ("127.0.0.1", 8765)


@pytest.mark.parametrize("doors", ["A01=0", "A01=16:0", "A01=0:16", "A01=0:1,A01=0:2", "A01=0:1,A02=0:1", "=0:1"])
def test_a_bad_door_map_is_refused_at_start(doors, capsys):
    with pytest.raises(SystemExit):
        parse_args(["--server", "s", "--kiosk-token", "t", "--board", "loop://", "--doors", doors], environ={})
    with pytest.raises(ValueError):
        DoorMap.parse(doors)


def test_missing_settings_are_named(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--server", "s"], environ={})
    assert "--kiosk-token" in capsys.readouterr().err


def test_every_agent_variable_is_documented_and_the_unit_runs_the_agent():
    source = (ROOT / "kiosk" / "locker_agent" / "main.py").read_text()
    names = {f"LOCKER_AGENT_{n}" for n in re.findall(r'default\("([A-Z_]+)"', source)}
    assert len(names) >= 7, names
    guide = (ROOT / "docs" / "kiosk-agent.md").read_text()
    assert sorted(n for n in names if f"`{n}`" not in guide) == []
    example = (ROOT / "deploy" / "locker-agent.env.example").read_text()
    assert {"LOCKER_AGENT_SERVER", "LOCKER_AGENT_KIOSK_TOKEN", "LOCKER_AGENT_BOARD", "LOCKER_AGENT_DOORS"} <= \
        set(re.findall(r"^(LOCKER_AGENT_[A-Z_]+)=", example, re.M))
    DoorMap.parse(re.search(r"^LOCKER_AGENT_DOORS=(.*)$", example, re.M).group(1))
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(ROOT / "deploy" / "locker-agent.service")
    assert unit["Service"]["ExecStart"].endswith("/bin/locker-agent")
    assert unit["Service"]["SupplementaryGroups"] == "dialout"
