"""The editor password: stored only as an argon2id hash (argon2-cffi), checked with attempts slowed after failures.

`python -m loaders hash-password` makes the hash that goes into `.streamlit/secrets.toml`
(`[dashboard] editor_password_hash`) or the environment variable `DASHBOARD_EDITOR_PASSWORD_HASH`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

PASSWORD_HASH_ENV = "DASHBOARD_EDITOR_PASSWORD_HASH"
#: Shorter passwords are refused by `hash-password`.
MIN_PASSWORD_LENGTH = 8
#: Failures allowed before attempts are slowed down.
FREE_FAILURES = 3
#: The longest wait between two attempts, in seconds.
MAX_DELAY = 300.0

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    """The argon2id hash of `password` (salted: two calls give two different hashes)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches `stored_hash`; False for a wrong password or a malformed hash."""
    try:
        return _HASHER.verify(stored_hash.strip(), password)
    except (VerificationError, InvalidHashError):
        return False


def looks_like_hash(value: str) -> bool:
    """True when `value` is an argon2 hash (what `hash-password` prints), not a password pasted by mistake."""
    return value.strip().startswith("$argon2")


@dataclass
class Throttle:
    """Slows password guessing: after `FREE_FAILURES` failures in a row, attempts are refused until a time
    that doubles with each further failure (capped at `MAX_DELAY`). Nothing sleeps: a refused attempt is
    answered at once with the seconds to wait. One instance per server process counts every session's
    failures, so opening new sessions does not reset it; a success resets it."""

    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    blocked_until: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait(self) -> float:
        """Seconds before the next attempt is allowed (0 when allowed now)."""
        with self._lock:
            return max(0.0, self.blocked_until - self.clock())

    def check(self, stored_hash: str, password: str) -> tuple[bool, float]:
        """(password accepted, seconds to wait before the next attempt). A refused attempt is not checked."""
        with self._lock:
            now = self.clock()
            if now < self.blocked_until:
                return False, self.blocked_until - now
        ok = verify_password(stored_hash, password)  # slow on purpose: outside the lock
        with self._lock:
            now = self.clock()
            if ok:
                self.failures, self.blocked_until = 0, 0.0
                return True, 0.0
            self.failures += 1
            if self.failures >= FREE_FAILURES:
                delay = min(MAX_DELAY, 2.0 ** (self.failures - FREE_FAILURES + 1))
                self.blocked_until = now + delay
            return False, max(0.0, self.blocked_until - now)
