"""Inquiries sent through the public contact form."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jgrad.audit import services as audit
from jgrad.db import utcnow
from jgrad.extensions import db


class Inquiry(db.Model):
    __tablename__ = "inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    details: Mapped[str] = mapped_column(sa.Text)
    doctor_id: Mapped[str | None] = mapped_column(sa.String(16))
    university: Mapped[str | None] = mapped_column(sa.String(200))
    student_number: Mapped[str | None] = mapped_column(sa.String(32))
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    closed_at: Mapped[dt.datetime | None]
    # The administrator's answer by e-mail (who sent it is in the audit trail).
    reply_text: Mapped[str | None] = mapped_column(sa.Text)
    replied_at: Mapped[dt.datetime | None]

    def close(self, *, by=None, now: dt.datetime | None = None) -> bool:
        """Mark the inquiry answered, with its audit event; False if it was closed already."""
        if self.closed_at is not None:
            return False
        self.closed_at = now or utcnow()
        audit.record("inquiry.closed", account=by, object_type="inquiry", object_id=self.id)
        return True
