"""The record of scheduled job runs, and the leases that keep one runner per job."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jgrad.db import utcnow
from jgrad.extensions import db


class JobRun(db.Model):
    """One run of a scheduled job, by the scheduler or by hand."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(64), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[dt.datetime | None]
    as_of: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="running")
    counts: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)


class JobLock(db.Model):
    """A lease on a job, used where the database has no advisory locks (SQLite).

    The holding process renews ``expires_at`` by a heartbeat; another process takes the
    lease over once it lapsed, or at once when ``owner`` names a process of this host that
    is gone.
    """

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(64))  # one per acquisition
    owner: Mapped[str | None] = mapped_column(sa.String(300))  # host:pid:process start
    taken_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime]
