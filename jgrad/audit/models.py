"""The append-only audit trail."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from jgrad.db import utcnow
from jgrad.enums import StrEnum, enum_column
from jgrad.extensions import db


class Outcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


class AuditEvent(db.Model):
    """One thing someone did or tried to do; never changed once written."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    actor_role: Mapped[str | None] = mapped_column(sa.String(16))
    actor_university_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("universities.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(32))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    subject_registrant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="SET NULL"), index=True
    )
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    request_id: Mapped[str | None] = mapped_column(sa.String(32))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, 16), default=Outcome.SUCCESS)
    details: Mapped[dict | None] = mapped_column(sa.JSON)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper, connection, target):
    raise RuntimeError("audit events are append-only")
