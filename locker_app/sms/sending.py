"""Sending a claimed batch from a few threads, handing the outcomes back in groups as they come in.

The relay (relay.py) records each group and commits it before asking for the next one; only then do
new sends start, which is what bounds the messages between send and commit to `concurrency`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from ..korea_sms.routing import send_routed
from .claimed import Claimed
from .senders import SendResult, SmsError, SmsSender

log = logging.getLogger("locker_app.sms.relay")  # the relay's log lines, as before the split

Outcome = SendResult | SmsError


def _send_one(sender: SmsSender, item: Claimed, status_callback: str | None) -> Outcome:
    try:
        return send_routed(sender, item.to, item.body, status_callback, item.route)
    except SmsError as exc:
        log.warning("SMS %s not sent: %s", item.id, exc)
        return exc
    except Exception:  # a bug in a sender must not leave the message claimed forever
        log.exception("SMS %s: the sender failed unexpectedly", item.id)
        return SmsError("sender error", temporary=True)


def outcomes(sender: SmsSender, claimed: list[Claimed], status_callback: str | None,
             concurrency: int) -> Iterator[list[tuple[Claimed, Outcome]]]:
    """Groups of (message, outcome), each group the sends that have finished since the last. A new send
    starts only when the caller asks for the next group (having committed this one): sends in flight plus
    outcomes not yet committed stay within `concurrency`."""
    if concurrency <= 1 or len(claimed) <= 1:
        for item in claimed:
            yield [(item, _send_one(sender, item, status_callback))]
        return
    todo = iter(claimed)
    with ThreadPoolExecutor(min(concurrency, len(claimed)), thread_name_prefix="sms-relay") as pool:
        running: dict[Future[Outcome], Claimed] = {}
        while True:
            for item in todo:
                running[pool.submit(_send_one, sender, item, status_callback)] = item
                if len(running) >= concurrency:
                    break
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            yield [(running.pop(future), future.result()) for future in done]
