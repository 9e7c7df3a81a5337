"""Stored statistical releases; their files live in the instance folder."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jgrad.db import utcnow
from jgrad.extensions import db


class StatRelease(db.Model):
    __tablename__ = "stat_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    as_of: Mapped[dt.date]
    catalogue_version: Mapped[str] = mapped_column(sa.String(32))
    # The release this one continues (same rules; protects against differencing).
    previous_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("stat_releases.id", ondelete="SET NULL"))
    created_by_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"))
    # The release metadata: rules, thresholds, cells hidden per rule, tables withheld.
    meta: Mapped[dict] = mapped_column(sa.JSON)
    folder: Mapped[str] = mapped_column(sa.String(64), unique=True)
