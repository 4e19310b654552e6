"""tests/fakes/twilio.py's fake Twilio server in a process of its own, so it does not share a GIL with the relay
it answers. Prints its URL, then serves until its standard input closes (at most an hour)."""

from __future__ import annotations

import sys
import threading

from tests.fakes.twilio import start_fake_twilio


def main() -> None:
    fake, server = start_fake_twilio()
    print(fake.url, flush=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait(3600)
    server.shutdown()


if __name__ == "__main__":
    main()
