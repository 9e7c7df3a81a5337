"""The accounts' scheduled job: forget link tokens that can no longer be used."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.accounts.models import AccountToken
from jgrad.extensions import db


def cleanup_tokens(now: dt.datetime, dry_run: bool = False, progress=None) -> dict:
    """Daily: remove link tokens that expired or were used more than a day ago."""
    stale = sa.or_(AccountToken.expires_at < now,
                   AccountToken.used_at < now - dt.timedelta(days=1))
    if dry_run:
        return {"removed": db.session.scalar(sa.select(sa.func.count()).where(stale))}
    removed = db.session.execute(sa.delete(AccountToken).where(stale)).rowcount
    db.session.commit()
    return {"removed": removed}
