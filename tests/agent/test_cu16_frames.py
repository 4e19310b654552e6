"""The CU16 driver over a real pyserial byte stream (loop://): frames cut, joined, garbled, misaddressed."""

from __future__ import annotations

import threading
import time

import pytest
import serial

from locker_agent import frames
from locker_agent.boards import BadAnswer, NoAnswer
from locker_agent.cu16 import CU16Driver
from locker_agent.frames import BoardStatus


def test_frames_match_the_board_documents_examples():
    assert frames.unlock_request(0, 2).hex(" ") == "02 02 31 03 38"
    assert frames.status_request(1).hex(" ") == "02 10 30 03 45"
    frame = frames.status_frame(BoardStatus(1, closed=0b1111_1111_1111_1011, sensors=0x0100))
    assert frame[:3] == bytes((0x02, 0x10, 0x35)) and frame[7] == 0x03 and frame[8] == sum(frame[:8]) & 0xFF
    status = frames.parse_status(frame)
    assert status is not None and status.board == 1 and not status.is_closed(2) and status.is_closed(3)
    assert status.has_item(8) and not status.has_item(0)
    with pytest.raises(ValueError):
        frames.unlock_request(16, 0)


@pytest.fixture
def loop():
    port = serial.serial_for_url("loop://", timeout=0.3)
    yield port
    port.close()


def _frame(board: int = 0, closed: int = 0xFFFF) -> bytes:
    return frames.status_frame(BoardStatus(board, closed))


def test_a_frame_cut_in_two_on_the_wire_is_read_whole(loop):
    driver = CU16Driver("loop://")
    frame = _frame(closed=0xFFFE)
    loop.write(frame[:4])

    def rest() -> None:
        time.sleep(0.08)
        loop.write(frame[4:])

    threading.Thread(target=rest).start()
    status = driver.read_status(0, loop)
    assert not status.is_closed(0) and status.is_closed(1)


def test_joined_frames_are_split_by_length(loop):
    driver = CU16Driver("loop://")
    loop.write(_frame(closed=0xFFFE) + _frame(closed=0xFFFF))
    assert not driver.read_status(0, loop).is_closed(0)
    assert driver.read_status(0, loop).is_closed(0)


def test_garbage_and_a_bad_sum_are_skipped_to_the_next_good_frame(loop):
    driver = CU16Driver("loop://")
    bad = bytearray(_frame(closed=0x0000))
    bad[-1] ^= 0xFF
    # Noise with a stray STX, a frame with a wrong checksum, then the real answer.
    loop.write(b"\x00\x02\x7f" + bytes(bad) + _frame(closed=0xFFFB))
    status = driver.read_status(0, loop)
    assert status.closed == 0xFFFB
    assert driver.stats["discarded_bytes"] >= 3 + 1


def test_only_a_corrupted_answer_is_a_bad_answer_never_a_status(loop):
    driver = CU16Driver("loop://")
    bad = bytearray(_frame(closed=0x0000))
    bad[7] = 0x04  # ETX wrong, SUM fixed up
    bad[8] = sum(bad[:8]) & 0xFF
    loop.write(bytes(bad))
    with pytest.raises(BadAnswer):
        driver.read_status(0, loop)


def test_an_answer_for_another_address_is_refused(loop):
    driver = CU16Driver("loop://")
    loop.write(_frame(board=1, closed=0x0000))
    with pytest.raises(BadAnswer, match="another address"):
        driver.read_status(0, loop)


def test_silence_is_no_answer_within_300_ms(loop):
    driver = CU16Driver("loop://")
    started = time.monotonic()
    with pytest.raises(NoAnswer):
        driver.read_status(0, loop)
    assert 0.25 < time.monotonic() - started < 0.6


def test_our_own_echo_on_the_line_is_not_an_answer():
    # loop:// hands back what was written, as a bus with a badly wired adapter echoes the request.
    driver = CU16Driver("loop://")
    with pytest.raises(BadAnswer):
        driver.status(0)
    assert driver.pulse(0, 2) is None  # an unlock whose answer is garbage still went out
    driver.close()


def test_a_bus_that_cannot_be_opened_fails_fast_and_is_not_retried_in_a_storm(tmp_path):
    from locker_agent.boards import BusUnavailable

    driver = CU16Driver(str(tmp_path / "ttyUSB9"))
    with pytest.raises(BusUnavailable):
        driver.status(0)
    started = time.monotonic()
    with pytest.raises(BusUnavailable):
        driver.status(0)
    assert time.monotonic() - started < 0.05
