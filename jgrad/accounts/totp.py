"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): SHA-1, 6 digits, 30 s.

The parameters every authenticator app understands. A code is accepted one step either side
of now (clock drift), and never twice: the caller keeps the last step used and passes it in.

``python -m jgrad.accounts.totp KEY`` prints the current code for a key (the demo's
administrator key is printed by ``flask demo-data``; any authenticator app does the same).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import sys
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps either side of now


def new_key() -> str:
    """Return a new 160-bit key in base32, as authenticator apps expect it."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def step_at(moment: float) -> int:
    return int(moment // STEP_SECONDS)


def code_at(key: str, step: int) -> str:
    """Return the code for ``key`` at time step ``step`` (RFC 4226 dynamic truncation)."""
    secret = base64.b32decode(key.upper() + "=" * (-len(key) % 8))
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** DIGITS).zfill(DIGITS)


def normalise(code: str | None) -> str:
    """Drop the spaces and hyphens people type inside a code."""
    return "".join((code or "").split()).replace("-", "")


def matching_step(key: str, code: str | None, *, now: float | None = None,
                  last_used_step: int | None = None) -> int | None:
    """Return the time step ``code`` belongs to, within the window, or None.

    A step at or before ``last_used_step`` is refused: a code works once.
    """
    typed = normalise(code)
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        return None
    current = step_at(time.time() if now is None else now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(code_at(key, step), typed):
            return step
    return None


def provisioning_uri(key: str, account_name: str, issuer: str) -> str:
    """Return the ``otpauth://`` address an authenticator app reads from the QR code."""
    label = quote(f"{issuer}:{account_name}", safe="@")
    query = urlencode({"secret": key, "issuer": issuer, "algorithm": "SHA1",
                       "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"


if __name__ == "__main__":  # pragma: no cover - a convenience for the demo
    print(code_at(sys.argv[1], step_at(time.time())))
