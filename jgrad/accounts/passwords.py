"""Password rules (length, common passwords) and argon2id hashing."""
from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128

# argon2-cffi's defaults (RFC 9106's low-memory profile): the production parameters.
PRODUCTION_HASHER = PasswordHasher()
_hasher = PRODUCTION_HASHER
# Verified against when no account matches, so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash("jgrad timing equaliser password")
_TRAILING = re.compile(r"[\d\W_]+$")


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Tell whether a password is, or is built from, a commonly used one."""
    common = _common_passwords()
    lowered = password.lower()
    if lowered in common or len(set(lowered)) <= 2:
        return True
    base = _TRAILING.sub("", lowered)
    if len(base) >= 4 and base in common:
        return True
    half = len(lowered) // 2
    return lowered[:half] == lowered[half:] and lowered[:half] in common


def password_problem(password: str, identifiers: tuple[str, ...] = ()) -> str | None:
    """Return why a password is not acceptable, or None when it is."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if any(i and i.lower() in lowered for i in identifiers):
        return str(_l("Do not use your e-mail address or Doctor ID in your password."))
    if is_common(password):
        return str(_l("This password is too common. Choose another."))
    return None


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash and verify with other parameters from now on (the test suite's cheap hasher)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("jgrad timing equaliser password")


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(account, password: str) -> bool:
    """Check a password; rehash it in place when the hashing parameters changed."""
    stored = account.password_hash if account is not None else None
    if not stored:
        _verify_quietly(_DUMMY_HASH, password)
        return False
    if not _verify_quietly(stored, password):
        return False
    if _hasher.check_needs_rehash(stored):
        account.password_hash = _hasher.hash(password)
    return True


def _verify_quietly(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
