"""Single-use link tokens: 256 random bits, only a SHA-256 hash stored, expiring."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from jgrad.accounts.models import AccountToken, TokenPurpose
from jgrad.db import utcnow
from jgrad.extensions import db


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_secret() -> tuple[str, str]:
    """Return a raw link secret and the hash under which it is stored."""
    raw = secrets.token_urlsafe(32)
    return raw, _digest(raw)


def issue(purpose: TokenPurpose, email: str, *, hours: int, account_id: int | None = None):
    """Create a token row and return it with the raw secret that goes into the link."""
    raw, digest = new_secret()
    token = AccountToken(
        purpose=purpose,
        token_hash=digest,
        email=email,
        account_id=account_id,
        expires_at=utcnow() + dt.timedelta(hours=hours),
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def find_usable(raw: str | None, purpose: TokenPurpose, now: dt.datetime | None = None):
    """Return the unused, unexpired token for a raw secret, or None."""
    if not raw or len(raw) > 128:
        return None
    now = now or utcnow()
    token = db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == _digest(raw))
    )
    if token is None or token.purpose != purpose or token.used_at is not None:
        return None
    if token.expires_at <= now:
        return None
    return token


def consume(token: AccountToken) -> bool:
    """Mark a token used, and every older link of its kind to the same person with it.

    False when another request used it first. Using the newest reset (or sign-up) link
    ends the ones mailed before it, so an old mail lying in an inbox opens nothing.
    """
    now = utcnow()
    result = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    same_person = (AccountToken.account_id == token.account_id if token.account_id is not None
                   else AccountToken.email == token.email)
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.purpose == token.purpose, same_person,
               AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(token)
    return True
