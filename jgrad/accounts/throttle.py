"""Failed log-ins counted per account and per client, in the rate limiter's shared store.

Only failures count: a person who logs in correctly, however often, is never locked out.
Identifiers are counted whether or not an account has them (so the lock-out says nothing
about which exist), and only as a hash, so the store holds no address or Doctor ID.
"""
from __future__ import annotations

import hashlib
import math
import time

from flask import current_app
from limits import RateLimitItem, parse_many

from jgrad.extensions import limiter


def _checks(identifier_key: str, client: str | None) -> list[tuple[RateLimitItem, tuple]]:
    config = current_app.config
    prefix = config.get("RATELIMIT_KEY_PREFIX") or "jgrad"
    digest = hashlib.sha256(identifier_key.encode()).hexdigest()
    checks = [(item, (prefix, "login-failures-account", digest))
              for item in parse_many(config["LOGIN_ACCOUNT_FAILURE_LIMIT"])]
    checks += [(item, (prefix, "login-failures-client", client or "-"))
               for item in parse_many(config["LOGIN_RATE_LIMIT"])]
    return checks


def wait_seconds(identifier_key: str, client: str | None) -> int:
    """Return how long (seconds) log-ins for this identifier or client must wait; 0: none."""
    if not limiter.enabled:
        return 0
    strategy = limiter.limiter
    wait = 0.0
    for item, keys in _checks(identifier_key, client):
        if not strategy.test(item, *keys):
            reset_at = strategy.get_window_stats(item, *keys).reset_time
            wait = max(wait, reset_at - time.time(), 1.0)
    return math.ceil(wait)


def record_failure(identifier_key: str, client: str | None) -> None:
    """Count one wrong password against the identifier and against the client."""
    if not limiter.enabled:
        return
    for item, keys in _checks(identifier_key, client):
        limiter.limiter.hit(item, *keys)


def forget_account_failures(identifier_key: str, client: str | None) -> None:
    """Clear an identifier's count after its owner logged in (the client's count stays)."""
    if not limiter.enabled:
        return
    for item, keys in _checks(identifier_key, client):
        if keys[1] == "login-failures-account":
            limiter.limiter.clear(item, *keys)
