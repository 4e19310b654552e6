"""tests/fakes/twilio.py's fake Twilio server in a process of its own, so it does not share a GIL with the relay
it answers. Prints its URL, then serves until its standard input closes (at most an hour); then, with
`--timeline`, prints one JSON line per accepted message: {"sid", "accepted_at"} (epoch seconds).

    python -m bench.fake_twilio [--delay 0.25] [--timeline]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

from tests.fakes.twilio import start_fake_twilio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each send is answered")
    parser.add_argument("--timeline", action="store_true", help="print each accepted SID and when, at the end")
    args = parser.parse_args()
    fake, server = start_fake_twilio()
    fake.delay = args.delay
    print(fake.url, flush=True)
    done = threading.Event()

    def wait_for_stdin_to_close() -> None:
        sys.stdin.read()
        done.set()

    threading.Thread(target=wait_for_stdin_to_close, daemon=True).start()
    done.wait(3600)
    server.shutdown()
    if args.timeline:
        for message in list(fake.received):
            print(json.dumps({"sid": message["sid"], "accepted_at": message["accepted_at"]}))


if __name__ == "__main__":
    main()
