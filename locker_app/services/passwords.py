"""What an admin password must be, as NIST SP 800-63B (5.1.1.2) asks of a memorized secret: long enough,
and not one that attackers try first: breached or common passwords, repetitive or sequential characters,
words of the context (the username, the service). No composition rules and no forced rotation, which
the same guideline advises against.

The common passwords come from the `zxcvbn` package (its `passwords` frequency list: the 30,000 most
common passwords of public breach corpora, maintained with the library) rather than a list file of our
own; only that list is used, not zxcvbn's strength score, so the rule stays one anyone can predict.
"""

from __future__ import annotations

from functools import cache

from .errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 256  # NIST asks to allow at least 64; a bound keeps hashing a huge "password" cheap
_CONTEXT_WORDS = ("locker", "admin", "password")
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")


@cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def _repetitive_or_sequential(text: str) -> bool:
    lowered = text.lower()
    if len(set(lowered)) <= 2:  # aaaaaaaaaa, ababababab
        return True
    for run in _SEQUENCES:
        for pattern in (run, run[::-1]):
            if lowered in pattern * 3:  # 0123456789, 9876543210, 7890123456
                return True
    return False


def check_new_password(password: str, username: str = "") -> None:
    """Raise InvalidInput saying what is wrong; the message never repeats the password."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"use a password of at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"use a password of at most {MAX_LENGTH} characters")
    lowered = password.lower()
    if lowered in common_passwords():
        raise InvalidInput("that password is on a list of common passwords attackers try first; choose another")
    if _repetitive_or_sequential(password):
        raise InvalidInput("that password is repeated or sequential characters; choose another")
    stripped = lowered.strip("0123456789!@#$%^&*.-_ ")
    named = len(username) >= 3 and username.lower() in lowered
    if named or stripped in _CONTEXT_WORDS or stripped in common_passwords():
        raise InvalidInput("that password is the username, a word of this service or a common password with "
                           "digits or symbols added; choose another")
