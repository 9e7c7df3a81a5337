"""The lifecycle's scheduled jobs: plain functions, idempotent, safe to rerun after a crash."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.extensions import db
from jgrad.lifecycle import dormancy
from jgrad.lifecycle.deletion import delete_registrants
from jgrad.registrants.history import DeletionRequest, DeletionRequestState


def dormancy_check(now: dt.datetime, dry_run: bool = False, progress=None) -> dict:
    """Rule 9, daily: detect, notify, remind, and suspend or delete."""
    if dry_run:
        return dormancy.plan(now)
    return dormancy.run(now, progress=progress)


def _due_requests(now: dt.datetime):
    return sa.select(DeletionRequest.registrant_id).where(
        DeletionRequest.state == str(DeletionRequestState.PENDING),
        DeletionRequest.due_at <= now,
    )


def deletion_deadlines(now: dt.datetime, dry_run: bool = False, progress=None,
                       batch: int = 500) -> dict:
    """Rule 8, daily: delete the data of every request whose deadline has come."""
    if dry_run:
        return {"deleted": db.session.scalar(
            sa.select(sa.func.count()).select_from(_due_requests(now).subquery()))}
    deleted = 0
    while True:
        ids = list(db.session.scalars(_due_requests(now).distinct().limit(batch)))
        if not ids:
            return {"deleted": deleted}
        deleted += delete_registrants(ids, "request", now)
        db.session.commit()
        if progress:
            progress("deleted", deleted)
