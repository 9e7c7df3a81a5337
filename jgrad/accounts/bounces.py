"""Mark the account addresses that mail reports as bouncing invalid (rule 9b acts on them)."""
from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from jgrad.accounts.models import Account, EmailStatus
from jgrad.extensions import db


def mark_bounced(addresses: Collection[str], *, account_id: int | None = None,
                 dry_run: bool = False) -> int:
    """Mark accounts with these addresses invalid (only ``account_id``'s, when given)."""
    which = [Account.email.in_(list(addresses))]
    if account_id is not None:
        which.append(Account.id == account_id)
    known = db.session.scalar(sa.select(sa.func.count()).where(*which))
    if known and not dry_run:
        db.session.execute(sa.update(Account).where(*which)
                           .values(email_status=str(EmailStatus.INVALID)))
    return known
