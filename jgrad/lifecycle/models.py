"""Dormancy episodes, the deletion ledger, and the record of scheduled job runs."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jgrad.db import utcnow
from jgrad.enums import StrEnum, enum_column
from jgrad.extensions import db


class DormancyReason(StrEnum):
    NO_LOGIN = "no_login"  # reachable: mailed, and given 30 days to log in
    NO_EMAIL = "no_email"  # rule 9(a)
    INVALID_EMAIL = "invalid_email"  # rule 9(b)


class EpisodeState(StrEnum):
    OPEN = "open"
    ENDED = "ended"  # the registrant logged in
    ACTIONED = "actioned"  # suspended or deleted after the deadline


class DormancyEpisode(db.Model):
    """One period in which a registrant counts as dormant, from detection to its end."""

    __tablename__ = "dormancy_episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # Equal to account_id while the episode is open, NULL after: one open episode per account.
    open_account_id: Mapped[int | None] = mapped_column(unique=True)
    reason: Mapped[DormancyReason] = mapped_column(enum_column(DormancyReason, 16))
    state: Mapped[EpisodeState] = mapped_column(
        enum_column(EpisodeState, 16), default=EpisodeState.OPEN, index=True
    )
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[dt.datetime] = mapped_column(index=True)
    notice_sent_at: Mapped[dt.datetime | None]
    reminder_sent_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    action: Mapped[str | None] = mapped_column(sa.String(16))


class DeletionLedgerEntry(db.Model):
    """What is left of a deleted registrant: a keyed hash of the Doctor ID, a date, a reason."""

    __tablename__ = "deletion_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    deleted_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(sa.String(32))
