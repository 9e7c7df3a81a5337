"""What happened to a registrant's record: changes, consent settings, deletion requests."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jgrad.actors import Source
from jgrad.db import utcnow
from jgrad.enums import StrEnum, enum_column
from jgrad.extensions import db


class RecordChange(db.Model):
    """One creation, correction or deletion of part of a registrant's record."""

    __tablename__ = "record_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    registrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="CASCADE"), index=True
    )
    record_type: Mapped[str] = mapped_column(sa.String(32))
    record_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(16))
    # {field: [old, new]} with values as shown in exports.
    changes: Mapped[dict] = mapped_column(sa.JSON)
    actor_source: Mapped[Source] = mapped_column(enum_column(Source, 16))
    actor_university_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("universities.id", ondelete="SET NULL")
    )
    actor_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL")
    )
    # What the change came through (e.g. a survey's title), shown beside who made it.
    via: Mapped[str | None] = mapped_column(sa.String(200))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)



class ConsentChange(db.Model):
    """A change of the sharing or contact setting, kept for good."""

    __tablename__ = "consent_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    registrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="CASCADE"), index=True
    )
    setting: Mapped[str] = mapped_column(sa.String(32))
    old_value: Mapped[bool | None]
    new_value: Mapped[bool]
    actor_source: Mapped[Source] = mapped_column(enum_column(Source, 16))
    actor_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL")
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DeletionRequestState(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DeletionRequest(db.Model):
    """A registrant's request to stop the use of their data and delete it."""

    __tablename__ = "deletion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    registrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(sa.String(16))
    verified_by: Mapped[str] = mapped_column(sa.String(32))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    state: Mapped[DeletionRequestState] = mapped_column(
        enum_column(DeletionRequestState, 16), default=DeletionRequestState.PENDING
    )
