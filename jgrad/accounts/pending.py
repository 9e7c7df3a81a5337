"""A log-in half done: the password was right and the second factor is still to come.

The session holds only the account's id, its session version and when the password was
given; the log-in completes on the code page within a few minutes, or starts over.
"""
from __future__ import annotations

import time

from flask import redirect, session, url_for

from jgrad.extensions import db

KEY = "pending_login"
LIFETIME_SECONDS = 300


def begin_second_step(account, next_url: str | None):
    """Remember the account between the password and the code; send the person to the code page."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[KEY] = {"id": account.id, "version": account.session_version,
                    "at": int(time.time()), "next": next_url}
    return redirect(url_for("accounts.login_code"))


def pending_account():
    """Return (account, next URL) of the half-done log-in, or (None, None) when there is none.

    A log-in older than a few minutes, or whose account moved on (password changed,
    suspended, logged out everywhere), is forgotten.
    """
    from jgrad.accounts.models import Account

    pending = session.get(KEY)
    if not isinstance(pending, dict):
        return None, None
    account = db.session.get(Account, pending.get("id")) if isinstance(pending.get("id"), int) \
        else None
    fresh = time.time() - (pending.get("at") or 0) < LIFETIME_SECONDS
    if (account is None or not fresh or not account.is_active or not account.uses_two_factor
            or account.session_version != pending.get("version")):
        session.pop(KEY, None)
        return None, None
    return account, pending.get("next")


def forget() -> None:
    session.pop(KEY, None)
