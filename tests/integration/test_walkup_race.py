"""Real threads (on PostgreSQL, and SQLite): wrong PINs typed at two kiosks at once cannot get past the lockout."""

from __future__ import annotations

import threading
from collections import Counter

from tests.walkup_support import COURIER_PHONE, Kiosk, give_pin


def test_concurrent_wrong_pins_on_two_kiosks_cannot_exceed_the_lockout(app, world):
    pin = give_pin(app)
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    tokens = [world.kiosk_token, world.other_kiosk_token] * 4
    start = threading.Barrier(len(tokens))
    answers: list[int] = []
    lock = threading.Lock()

    def guess(token: str) -> None:
        kiosk = Kiosk(app.test_client(), token)
        start.wait()
        for _ in range(2):
            status = kiosk.sign_in(COURIER_PHONE, wrong).status_code
            with lock:
                answers.append(status)

    threads = [threading.Thread(target=guess, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    counts = Counter(answers)
    assert counts[403] == 5 and counts[429] == len(tokens) * 2 - 5, counts
    # And the right PIN is locked out too, on either kiosk.
    assert Kiosk(app.test_client(), world.other_kiosk_token).sign_in(COURIER_PHONE, pin).status_code == 429
