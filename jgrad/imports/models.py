"""Rows an import held for an administrator instead of writing them."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jgrad.audit import services as audit
from jgrad.db import utcnow
from jgrad.extensions import db

RESOLUTIONS = ("merged", "kept_apart")


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

    def resolve(self, state: str, *, by, now: dt.datetime | None = None) -> None:
        """Close an open flag as merged or kept apart, with its audit event."""
        if self.state != "open" or state not in RESOLUTIONS:
            raise ValueError(f"possible duplicate {self.id}: {self.state} -> {state}")
        self.state = state
        self.resolved_at = now or utcnow()
        self.resolved_by_account_id = by.id
        audit.record(f"duplicate.{state}", account=by, object_type="possible_duplicate",
                     object_id=self.id, subject_registrant_id=self.candidate_registrant_id)
