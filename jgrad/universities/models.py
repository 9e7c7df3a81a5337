"""Universities and whether they take part in joint utilization."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jgrad.audit import services as audit
from jgrad.db import utcnow
from jgrad.extensions import db


KINDS = ("national", "public", "private")


class University(db.Model):
    __tablename__ = "universities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(200))
    name_ja: Mapped[str] = mapped_column(sa.String(200))
    cooperating: Mapped[bool] = mapped_column(default=True)
    # national, public or private: small universities are grouped by kind in statistics.
    kind: Mapped[str] = mapped_column(sa.String(16), default="national",
                                      server_default="national")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def name(self, locale: str | None = None) -> str:
        """Return the university's name in the given language."""
        return self.name_ja if str(locale or "").startswith("ja") else self.name_en

    def set_cooperation(self, cooperating: bool, *, by=None) -> bool:
        """Start or stop joint utilization, with its audit event; False if unchanged.

        Staff access follows on their next request (the access layer reads this flag).
        """
        if self.cooperating == cooperating:
            return False
        self.cooperating = cooperating
        audit.record("university.cooperation", account=by, object_type="university",
                     object_id=self.id, details={"cooperating": cooperating})
        return True

    def __repr__(self) -> str:
        return f"<University {self.code}>"
