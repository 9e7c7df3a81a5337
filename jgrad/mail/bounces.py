"""Addresses that bounce: mail reports them to whoever owns addresses, never reaching in.

The package that keeps addresses (accounts) registers a handler in its ``init_app``; mail
calls the handlers when a delivery fails for good and for ``flask mail bounces``. So mail
imports no other domain package.
"""
from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from flask import Flask, current_app

KEY = "jgrad.bounce_handlers"


class BounceHandler(Protocol):
    def __call__(self, addresses: Collection[str], *, account_id: int | None = None,
                 dry_run: bool = False) -> int:
        """Mark ``addresses`` undeliverable (for ``account_id`` only, when given); return
        how many known addresses are (or, on a dry run, would be) marked."""


def on_bounce(app: Flask, handler: BounceHandler) -> None:
    """Register a handler told about every address that bounced."""
    app.extensions.setdefault(KEY, []).append(handler)


def report_bounced(addresses: Collection[str], *, account_id: int | None = None,
                   dry_run: bool = False) -> int:
    """Tell every handler these addresses bounced; return how many they marked."""
    if not addresses:
        return 0
    return sum(handler(addresses, account_id=account_id, dry_run=dry_run)
               for handler in current_app.extensions.get(KEY, []))
