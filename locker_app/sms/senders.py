"""The sender interface and its two implementations: the console (development) and Twilio."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from .segments import count_segments

log = logging.getLogger(__name__)

# Twilio error codes that no retry can cure: invalid number, unsubscribed, not allowed, not a mobile.
PERMANENT_ERRORS = frozenset({21211, 21610, 21408, 21612, 21614, 21635})


def is_temporary(code: int | None) -> bool:
    """Everything else is retried, up to the relay's attempt limit: 5xx, 20429 (too many requests), and
    codes that mostly mean our own configuration (sender number, credentials), which an operator can fix
    before the messages give up."""
    return code not in PERMANENT_ERRORS


@dataclass(frozen=True)
class SendResult:
    sid: str
    status: str
    segments: int | None


class SmsError(Exception):
    def __init__(self, message: str, *, temporary: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.code = code


class SmsSender(Protocol):
    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult: ...

    def redact(self, sid: str) -> None:
        """Ask the provider to forget the text of a message it has sent."""


class ConsoleSender:
    """Prints the message where a developer running `make run` can read it.

    This is the development stand-in for a phone, so it shows the number and the code; it is
    refused when LOCKER_PRODUCTION is set.
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.log = logger or logging.getLogger("locker.sms.console")

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        self.log.warning("SMS to %s:\n%s", to, body)
        return SendResult(sid=f"console-{uuid.uuid4().hex}", status="sent", segments=count_segments(body))

    def redact(self, sid: str) -> None:
        pass


class TwilioSender:
    """Safe to share between threads: each send borrows an SDK client that no other send is using, because
    neither the Twilio Client nor the requests.Session under it is documented as thread-safe (the relay sends
    from a small pool of threads). Clients go back to the sender, not to a thread: the relay's pool and the
    post-commit kick start new threads every run, and a client that died with its thread would take its open
    HTTPS connection to Twilio with it."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        base_url: str | None = None,
        timeout: float = 10.0,
        http_client: Any = None,
    ) -> None:
        # The SDK logs request and response bodies at INFO; those hold codes and phone numbers.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        self._credentials = (account_sid, auth_token)
        self._base_url = base_url.rstrip("/") if base_url else None
        self._timeout = timeout
        # An injected HTTP client (the TWILIO_HTTP_CLIENT setting) is shared by every thread's SDK client.
        self._http_client = http_client
        self._lock = threading.Lock()
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self._idle = [self._new_client()]  # one now, so that a bad setting fails at start, not at first send

    def _new_client(self) -> Any:
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        client = Client(*self._credentials, http_client=self._http_client or TwilioHttpClient(timeout=self._timeout))
        if self._base_url:
            client.api.base_url = self._base_url
        return client

    @contextmanager
    def _client(self) -> Iterator[Any]:
        """An SDK client for this send alone (the most recently used, whose connection is likeliest still open)."""
        with self._lock:
            client = self._idle.pop() if self._idle else None
        if client is None:
            client = self._new_client()
        try:
            yield client
        finally:
            with self._lock:
                self._idle.append(client)

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException

        kwargs: dict[str, Any] = {"to": to, "body": body}
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        else:
            kwargs["from_"] = self.from_number
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            with self._client() as client:
                message = client.messages.create(**kwargs)
        except TwilioRestException as exc:
            raise SmsError(f"Twilio answered {exc.status} ({exc.code})", temporary=is_temporary(exc.code),
                           code=exc.code) from None
        except (requests.RequestException, TwilioException) as exc:
            # Timeouts and refused connections: the request may not have arrived, so try again.
            raise SmsError(f"Twilio could not be reached: {type(exc).__name__}", temporary=True) from None
        segments = int(message.num_segments) if message.num_segments else None
        return SendResult(sid=str(message.sid), status=str(message.status or "queued"), segments=segments)

    def redact(self, sid: str) -> None:
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            with self._client() as client:
                client.messages(sid).update(body="")
        except TwilioRestException as exc:
            # 4xx here means Twilio will not redact this message (unknown, or not in a final state yet).
            raise SmsError(f"Twilio answered {exc.status} ({exc.code})",
                           temporary=exc.status >= 500 or exc.status == 429, code=exc.code) from None
        except (requests.RequestException, TwilioException) as exc:
            raise SmsError(f"Twilio could not be reached: {type(exc).__name__}", temporary=True) from None


def build_sender(config: dict[str, Any]) -> SmsSender:
    """The default sender (LOCKER_SMS_BACKEND), routed beside the domestic one where that is configured."""
    from ..korea_sms.routing import with_routes

    return with_routes(config, _build_default_sender(config))


def _build_default_sender(config: dict[str, Any]) -> SmsSender:
    if config["SMS_BACKEND"] == "twilio":
        return TwilioSender(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            from_number=config.get("TWILIO_FROM_NUMBER"),
            messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
            base_url=config.get("TWILIO_BASE_URL"),
            timeout=config["TWILIO_TIMEOUT_SECONDS"],
            http_client=config.get("TWILIO_HTTP_CLIENT"),
        )
    if config.get("PRODUCTION"):
        raise RuntimeError("the console SMS sender prints codes and is for development only")
    return ConsoleSender()
