"""API tokens: a bearer secret that acts as one account, stored only as a hash."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jgrad.db import utcnow
from jgrad.extensions import db

# What a token may be used for; each operation of the API names the scope it needs.
SCOPES = ("records:read", "records:write", "surveys:read", "responses:export", "stats:read")


class ApiToken(db.Model):
    """A machine client's credential. The raw token is shown once; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The visible part ("jgr_" + prefix + "_" + secret): names the token in lists and logs.
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # The account the token acts as: the access layer and the audit trail see this account.
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    # Set for a university's token made by an administrator (it acts as a service account).
    university_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("universities.id", ondelete="CASCADE"), index=True)
    scopes: Mapped[str] = mapped_column(sa.String(200))  # space-separated, sorted
    created_by_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    account = relationship("Account", foreign_keys=[account_id])

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def usable(self, now: dt.datetime) -> bool:
        """Tell whether the token may be used at ``now`` (not revoked, not expired)."""
        return self.revoked_at is None and self.expires_at > now

    def state(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"
