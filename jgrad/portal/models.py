"""What joint utilization adds: messages to alumni, possible duplicates, provisions."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jgrad.db import utcnow
from jgrad.extensions import db


class ContactMessage(db.Model):
    """A message a university or the institute sent to a filtered set of registrants."""

    __tablename__ = "contact_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    university_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("universities.id", ondelete="CASCADE"), index=True)
    sender_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    filters: Mapped[dict] = mapped_column(sa.JSON)
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PossibleDuplicate(db.Model):
    """An imported row that looks like an existing registrant, held for an administrator.

    A *lookalike* row is not written until an administrator merges it or keeps it apart. A
    *claim* is a registrant who gave the student number of this row themselves: the import
    created the real student (``registrant_id``) and took the number off the claimant's
    enrolment; the administrator merges the two if they are one person, or keeps them apart.
    """

    __tablename__ = "possible_duplicates"

    id: Mapped[int] = mapped_column(primary_key=True)
    university_id: Mapped[int] = mapped_column(
        sa.ForeignKey("universities.id", ondelete="CASCADE"), index=True)
    student_number: Mapped[str] = mapped_column(sa.String(32))
    candidate_registrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="CASCADE"), index=True)
    # The imported row, validated, as the import would have written it.
    row: Mapped[dict] = mapped_column(sa.JSON)
    state: Mapped[str] = mapped_column(sa.String(16), default="open", index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), server_default="lookalike")
    registrant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"))

    __table_args__ = (sa.UniqueConstraint("university_id", "student_number"),)


class Provision(db.Model):
    """Rule 6: one provision of registration information to the ministry or an agency."""

    __tablename__ = "provisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset: Mapped[str] = mapped_column(sa.String(300))
    recipient: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.Text)
    legal_basis: Mapped[str] = mapped_column(sa.String(300))
    provided_on: Mapped[dt.date]
    records: Mapped[int | None]
    recorded_by_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
