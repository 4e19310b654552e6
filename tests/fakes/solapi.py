"""A local stand-in for SOLAPI's messages API (POST /messages/v4/send-many/detail), so the real `solapi` SDK
can be tested without the internet. Its answers have the shape the SDK's pydantic models read.

Modes (`behaviour`, or per recipient in `by_number`): accept; down (HTTP 500); slow (answers after the
SDK's 5 s timeout); sender-rejected (the message not registered: the 발신번호 is not registered); template-
rejected (a 알림톡 not registered: text and template do not match; SMS/LMS still accepted); no-credit (HTTP 400
NotEnoughBalance). The error codes and texts are modelled on SOLAPI's; see locker_app/korea_sms/solapi_errors.py.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SEND_PATH = "/messages/v4/send-many/detail"
SLOW_SECONDS = 6.0  # more than httpx's default timeout, which the SDK does not let us change


@dataclass
class FakeSolapi:
    behaviour: str = "accept"
    by_number: dict[str, str] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)  # registered messages
    attempts: list[dict[str, Any]] = field(default_factory=list)  # every message asked for, with the mode met
    auth_headers: list[str] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout)


def _group(total: int, failed: int) -> dict[str, Any]:
    cash = {"requested": 0, "replacement": 0, "refund": 0, "sum": 0}
    return {
        "count": {"total": total, "sentTotal": 0, "sentSuccess": 0, "sentPending": 0, "sentReplacement": 0,
                  "refund": 0, "registeredFailed": failed, "registeredSuccess": total - failed},
        "countForCharge": {}, "balance": cash, "point": cash, "app": {"profit": None, "appId": None}, "log": [],
        "status": "SENDING", "allowDuplicates": False, "isRefunded": False, "accountId": "22010100000000",
        "masterAccountId": None, "apiVersion": "4", "groupId": "G4V" + uuid.uuid4().hex[:20].upper(), "price": {},
        "dateCreated": "2026-12-02T00:00:00.000Z", "dateUpdated": "2026-12-02T00:00:00.000Z",
    }


class _Server(ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True


def start_fake_solapi() -> tuple[FakeSolapi, ThreadingHTTPServer]:
    fake = FakeSolapi()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            if self.path != SEND_PATH:
                self._send(404, {"errorCode": "NotFound", "errorMessage": "no such API"})
                return
            fake.auth_headers.append(self.headers.get("Authorization", ""))
            messages = payload.get("messages") or []
            mode = fake.by_number.get(messages[0].get("to", "") if messages else "", fake.behaviour)
            for message in messages:
                fake.attempts.append({"mode": mode, **message})
            if mode == "slow":
                fake.release.wait(SLOW_SECONDS)
            if mode == "down":
                self._send(500, {"errorCode": "InternalError", "errorMessage": "internal server error"})
                return
            if mode == "no-credit":
                self._send(400, {"errorCode": "NotEnoughBalance", "errorMessage": "잔액이 부족합니다."})
                return
            listed, failed = [], []
            for message in messages:
                message_id = "M4V" + uuid.uuid4().hex[:24].upper()
                refusal = None
                if mode == "sender-rejected":
                    refusal = ("1062", "발신번호 미등록: 사전 등록되지 않은 발신번호입니다.")
                elif mode == "template-rejected" and message.get("type") == "ATA":
                    refusal = ("3034", "알림톡 템플릿과 내용이 일치하지 않습니다.")
                if refusal is not None:
                    failed.append({"to": message.get("to"), "from": message.get("from"), "type": message.get("type"),
                                   "country": "82", "messageId": message_id, "statusCode": refusal[0],
                                   "statusMessage": refusal[1], "accountId": "22010100000000"})
                    continue
                listed.append({"messageId": message_id, "statusCode": "2000", "statusMessage": "정상 접수"})
                with fake.arrived:
                    fake.received.append({"messageId": message_id, **message})
                    fake.arrived.notify_all()
            self._send(200, {"groupInfo": _group(len(messages), len(failed)), "messageList": listed,
                             "failedMessageList": failed})

    server = _Server(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server


def report(message_id: str, status_code: str, kind: str = "LMS") -> dict[str, Any]:
    """One single report as SOLAPI posts it to a webhook (a list of these)."""
    return {"eventDataId": uuid.uuid4().hex, "retryCount": 0,
            "data": {"messageId": message_id, "groupId": "G4V1", "type": kind, "to": "01012345678",
                     "from": "0212345678", "statusCode": status_code, "dateProcessed": time.strftime("%Y-%m-%d")}}
