"""What joint utilization adds: messages to alumni and provisions."""
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
