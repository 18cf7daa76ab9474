"""argon2id with memory-modest parameters: twenty logins at once stay under half a gigabyte."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# 19 MiB, 2 passes: OWASP's minimum recommendation for argon2id.
hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verifying against this keeps an unknown login as slow as a known one.
_DUMMY = hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def one_time_code() -> str:
    """Eight digits, easy to read out over the phone."""
    return f"{secrets.randbelow(10**8):08d}"
