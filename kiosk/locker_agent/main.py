"""`locker-agent`: settings from the command line or LOCKER_AGENT_* variables, and the composition root
that wires the bus, the watcher, the uplink and the local server together (the only place that does)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .boards import BoardDriver
from .bus import BusActor, DoorOpener
from .commands import CommandRunner
from .cu16 import CU16Driver
from .doormap import DoorMap
from .gateway import Doors, Gateway
from .offline import OfflinePolicy
from .server import PAGE_DIR, AgentServer, status_json
from .uplink import Reporter, Uplink
from .watcher import LEFT_OPEN_AFTER, POLL_EVERY, DoorWatcher

log = logging.getLogger("locker_agent")


@dataclass
class Settings:
    server: str
    kiosk_token: str
    board: str
    doors: DoorMap
    listen: tuple[str, int] = ("127.0.0.1", 8765)
    state_dir: Path | None = None
    poll_every: float = POLL_EVERY
    left_open_after: float = LEFT_OPEN_AFTER
    commands_every: float = 2.0
    page_dir: Path = PAGE_DIR


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"not HOST:PORT: {text!r}")
    return host.strip("[]"), int(port)


def _doors(text: str) -> DoorMap:
    try:
        return DoorMap.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def parse_args(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ

    def default(name: str, fallback: str | None = None) -> str | None:
        return env.get(f"LOCKER_AGENT_{name}", fallback)

    parser = argparse.ArgumentParser(prog="locker-agent", description="The locker agent: drives the lock "
                                     "boards and serves the touchscreen page.")
    parser.add_argument("--server", default=default("SERVER"), help="the service's base URL (LOCKER_AGENT_SERVER)")
    parser.add_argument("--kiosk-token", default=default("KIOSK_TOKEN"),
                        help="the kiosk's device token (LOCKER_AGENT_KIOSK_TOKEN; prefer the variable: "
                             "arguments show in ps)")
    parser.add_argument("--board", default=default("BOARD"),
                        help="pyserial URL of the board bus: /dev/ttyUSB0, socket://127.0.0.1:9000, loop:// "
                             "(LOCKER_AGENT_BOARD)")
    parser.add_argument("--doors", type=_doors, default=default("DOORS"),
                        help="LABEL=BOARD:LOCK,... (LOCKER_AGENT_DOORS)")
    parser.add_argument("--listen", type=_address, default=default("LISTEN", "127.0.0.1:8765"),
                        help="where the page is served (LOCKER_AGENT_LISTEN, default 127.0.0.1:8765)")
    parser.add_argument("--state-dir", type=Path, default=default("STATE_DIR"),
                        help="where the agent keeps its state (LOCKER_AGENT_STATE_DIR)")
    parser.add_argument("--left-open-minutes", type=float, default=float(default("LEFT_OPEN_MINUTES", "3") or 3),
                        help="alert when a door stays open this long (LOCKER_AGENT_LEFT_OPEN_MINUTES, default 3)")
    parser.add_argument("--page-dir", type=Path, default=default("PAGE_DIR", str(PAGE_DIR)),
                        help="the touchscreen page's files (LOCKER_AGENT_PAGE_DIR, default: the checkout's kiosk/)")
    parser.add_argument("--log-level", default=default("LOG_LEVEL", "INFO"),
                        help="LOCKER_AGENT_LOG_LEVEL, default INFO")
    args = parser.parse_args(argv)
    missing = [name for name in ("server", "kiosk_token", "board", "doors") if not getattr(args, name)]
    if missing:
        parser.error("missing: " + ", ".join("--" + name.replace("_", "-") for name in missing))
    doors = args.doors if isinstance(args.doors, DoorMap) else _doors(args.doors)
    listen = args.listen if isinstance(args.listen, tuple) else _address(args.listen)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return Settings(server=args.server, kiosk_token=args.kiosk_token, board=args.board, doors=doors,
                    listen=listen, state_dir=Path(args.state_dir) if args.state_dir else None,
                    left_open_after=args.left_open_minutes * 60, page_dir=Path(args.page_dir))


class Agent:
    """Everything the agent runs, built from settings; start() and stop() for the program and the tests."""

    def __init__(self, settings: Settings, *, driver: BoardDriver | None = None,
                 offline: OfflinePolicy | None = None) -> None:
        self.settings = settings
        if settings.state_dir is not None:
            settings.state_dir.mkdir(parents=True, exist_ok=True)
        self.uplink = Uplink(settings.server, settings.kiosk_token)
        self.reporter = Reporter(self.uplink)
        self.bus = BusActor(driver or CU16Driver(settings.board))
        self.watcher = DoorWatcher(self.bus, settings.doors, self.reporter, poll_every=settings.poll_every,
                                   left_open_after=settings.left_open_after)
        self.opener = DoorOpener(self.bus, before_pulse=self.watcher.expect)
        self.doors = Doors(settings.doors, self.opener, self.reporter)
        self.gateway = Gateway(self.uplink, self.doors, offline)
        self.commands = CommandRunner(self.uplink, self.doors, poll_every=settings.commands_every)
        self.server = AgentServer(settings.listen, self.gateway, self.status, settings.page_dir)
        self._serving: threading.Thread | None = None

    def status(self) -> dict[str, Any]:
        return status_json(self.uplink.online, self.uplink.last_sync, self.watcher.states())

    @property
    def url(self) -> str:
        return f"http://{self.settings.listen[0]}:{self.server.port}/"

    def start(self) -> None:
        self.bus.start()
        self.reporter.start()
        self.watcher.start()
        self.commands.start()
        self._serving = threading.Thread(target=self.server.serve_forever, name="locker-http", daemon=True)
        self._serving.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.commands.stop()
        self.watcher.stop()
        self.reporter.stop()
        self.bus.stop()


def main(argv: list[str] | None = None) -> None:
    settings = parse_args(argv)
    agent = Agent(settings)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    agent.start()
    log.info("locker agent serving the kiosk page at %s (doors %s, bus %s)", agent.url,
             ",".join(settings.doors.doors), settings.board)
    stopped.wait()
    agent.stop()


if __name__ == "__main__":
    main()
