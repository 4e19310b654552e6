"""`locker-board-sim`: a simulated RS485 bus of CU16 boards on a TCP socket (pyserial's socket://), for
development, the demo and the tests, with a control interface to close doors and inject faults.

Control (HTTP, JSON, on --control, default the bus port + 1):
  GET  /state                                 doors, faults, and every request frame received (hex)
  POST /boards/B/locks/L/close                the door is shut (feedback 1)
  POST /boards/B/locks/L/open                 the door opens without a command (forced, a broken lock)
  POST /boards/B/locks/L/jam   | /unjam       the lock ignores pulses: its feedback stays latched
  POST /boards/B/mute          | /unmute      the board answers nothing
  POST /boards/B/late {"seconds": 0.5}        the board answers after that delay
  POST /boards/B/corrupt {"count": 3}         the next answers carry a wrong SUM
  POST /boards/B/misaddress {"count": 3}      the next answers name another board
  POST /boards/B/silent-unlock | /loud-unlock whether an unlock gets a status answer (default: it does)
  POST /reset-log                             forget the frames received
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import frames
from .frames import BoardStatus, FrameScanner

log = logging.getLogger(__name__)

ALL_CLOSED = 0xFFFF


@dataclass
class SimBoard:
    address: int
    closed: int = ALL_CLOSED
    sensors: int = 0
    jammed: set[int] = field(default_factory=set)
    mute: bool = False
    late: float = 0.0
    corrupt: int = 0
    misaddress: int = 0
    answer_unlock: bool = True
    pulses: int = 0

    def view(self) -> dict[str, Any]:
        return {"board": self.address, "doors": {str(i): "closed" if self.closed >> i & 1 else "open"
                                                 for i in range(frames.LOCKS_PER_BOARD)},
                "jammed": sorted(self.jammed), "mute": self.mute, "late": self.late, "corrupt": self.corrupt,
                "misaddress": self.misaddress, "answer_unlock": self.answer_unlock, "pulses": self.pulses}


class Simulator:
    def __init__(self, boards: int = 1) -> None:
        self.boards = {n: SimBoard(n) for n in range(boards)}
        self.lock = threading.Lock()
        self.received: list[bytes] = []  # every checked request frame, in order
        self.received_at: list[float] = []  # time.monotonic() of each
        self._servers: list[Any] = []

    # --- the bus --------------------------------------------------------------------------------

    def answer(self, request: tuple[int, int, int]) -> tuple[bytes, float] | None:
        """The bytes a board puts on the wire for one request, and when; None when it stays silent."""
        board_no, lock, cmd = request
        with self.lock:
            board = self.boards.get(board_no)
            if board is None or board.mute:
                return None
            if cmd == frames.CMD_UNLOCK:
                board.pulses += 1
                if lock not in board.jammed:
                    board.closed &= ~(1 << lock)  # the spring pushes the door open
                if not board.answer_unlock:
                    return None
            elif cmd != frames.CMD_STATUS:
                return None
            address = board_no
            if board.misaddress:
                board.misaddress -= 1
                address = (board_no + 1) % frames.MAX_BOARDS
            frame = bytearray(frames.status_frame(BoardStatus(address, board.closed, board.sensors)))
            if board.corrupt:
                board.corrupt -= 1
                frame[-1] ^= 0x5A
            return bytes(frame), board.late

    def serve_client(self, conn: socket.socket) -> None:
        scanner: FrameScanner[tuple[int, int, int]] = FrameScanner(frames.REQUEST_LEN, frames.parse_request)
        with conn:
            while True:
                try:
                    data = conn.recv(256)
                except OSError:
                    return
                if not data:
                    return
                for request in scanner.feed(data):
                    with self.lock:
                        self.received.append(frames.request(*request))
                        self.received_at.append(time.monotonic())
                    reply = self.answer(request)
                    if reply is None:
                        continue
                    frame, late = reply
                    if late:
                        time.sleep(late)
                    try:
                        conn.sendall(frame)
                    except OSError:
                        return

    def listen(self, host: str, port: int) -> tuple[str, int]:
        sim = self

        class BusHandler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sim.serve_client(self.request)

        server = socketserver.ThreadingTCPServer((host, port), BusHandler, bind_and_activate=False)
        server.daemon_threads = True
        server.allow_reuse_address = True
        server.server_bind()
        server.server_activate()
        self._servers.append(server)
        threading.Thread(target=server.serve_forever, name="sim-bus", daemon=True).start()
        return str(server.server_address[0]), int(server.server_address[1])

    # --- control --------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"boards": [b.view() for b in self.boards.values()],
                    "received": [frame.hex(" ") for frame in self.received]}

    def control(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """One control command; None when there is no such command."""
        if path == "/reset-log":
            with self.lock:
                self.received.clear()
                self.received_at.clear()
            return self.state()
        match = re.fullmatch(r"/boards/(\d+)(?:/locks/(\d+))?/([a-z-]+)", path)
        if not match or int(match.group(1)) not in self.boards:
            return None
        lock = int(match.group(2)) if match.group(2) is not None else None
        action = match.group(3)
        with self.lock:
            board = self.boards[int(match.group(1))]
            if lock is not None:
                if not 0 <= lock < frames.LOCKS_PER_BOARD:
                    return None
                if action == "close":
                    board.closed |= 1 << lock
                elif action == "open":
                    board.closed &= ~(1 << lock)
                elif action == "jam":
                    board.jammed.add(lock)
                elif action == "unjam":
                    board.jammed.discard(lock)
                else:
                    return None
            elif action in ("mute", "unmute"):
                board.mute = action == "mute"
            elif action == "late":
                board.late = float(body.get("seconds", 0.5))
            elif action == "corrupt":
                board.corrupt = int(body.get("count", 1))
            elif action == "misaddress":
                board.misaddress = int(body.get("count", 1))
            elif action in ("silent-unlock", "loud-unlock"):
                board.answer_unlock = action == "loud-unlock"
            else:
                return None
        return self.state()

    def serve_control(self, host: str, port: int) -> tuple[str, int]:
        sim = self

        class ControlHandler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                log.debug(format, *args)

            def _reply(self, status: int, value: Any) -> None:
                data = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/state":
                    self._reply(200, sim.state())
                else:
                    self._reply(404, {"error": "no such page"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}") if length < 4096 else {}
                    answer = sim.control(self.path, body if isinstance(body, dict) else {})
                except (ValueError, TypeError):
                    answer = None
                if answer is None:
                    self._reply(404, {"error": "no such command"})
                else:
                    self._reply(200, answer)

        server = ThreadingHTTPServer((host, port), ControlHandler)
        server.daemon_threads = True
        self._servers.append(server)
        threading.Thread(target=server.serve_forever, name="sim-control", daemon=True).start()
        return str(server.server_address[0]), int(server.server_address[1])

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"not HOST:PORT: {text!r}")
    return host, int(port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="locker-board-sim", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=_address, default=("127.0.0.1", 9000), help="the bus (socket://)")
    parser.add_argument("--control", type=_address, help="the control interface (default: bus port + 1)")
    parser.add_argument("--boards", type=int, default=1, choices=range(1, frames.MAX_BOARDS + 1), metavar="N")
    args = parser.parse_args(argv)
    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sim = Simulator(args.boards)
    host, port = sim.listen(*args.listen)
    control = args.control or (args.listen[0], port + 1 if args.listen[1] else 0)
    chost, cport = sim.serve_control(*control)
    print(f"board bus: socket://{host}:{port} ({args.boards} board(s), every door closed)", flush=True)
    print(f"control:   http://{chost}:{cport}/state  (POST /boards/0/locks/2/close, ...)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
