"""The scheduled jobs: plain functions, idempotent, safe to rerun after a crash."""
from __future__ import annotations

import datetime as dt
import logging
import traceback

import sqlalchemy as sa
from flask import current_app

from jgrad.accounts.models import AccountToken
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.lifecycle import dormancy, traces
from jgrad.lifecycle.deletion import delete_registrants
from jgrad.lifecycle.locks import job_lock
from jgrad.lifecycle.models import JobRun
from jgrad.mail import services as mail
from jgrad.mail.delivery import can_deliver
from jgrad.mail.models import DeliveryState, OutboxMessage
from jgrad.registrants.history import DeletionRequest, DeletionRequestState
from jgrad.statistics.services import scheduled_release

log = logging.getLogger("jgrad.jobs")


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


class MailNotConfigured(RuntimeError):
    """Mail cannot leave: no SMTP server is configured outside development."""


def deliver_mail(now: dt.datetime, dry_run: bool = False, progress=None,
                 batch: int = 100) -> dict:
    """Every minute: deliver what is due in the outbox (beside any other sender)."""
    if dry_run:
        return {"due": db.session.scalar(sa.select(sa.func.count()).where(
            OutboxMessage.state == str(DeliveryState.PENDING),
            OutboxMessage.next_attempt_at <= now))}
    if not can_deliver(current_app.config):
        raise MailNotConfigured("No SMTP server is configured (SMTP_HOST); mail stays queued.")
    totals = {"sent": 0, "retried": 0, "failed": 0, "reclaimed": 0}
    while True:
        report = mail.deliver_pending(now=now, limit=batch)
        for name in totals:
            totals[name] += getattr(report, name)
        if progress:
            progress("sent", totals["sent"])
        if report.sent + report.retried + report.failed < batch:
            return totals


def cleanup_tokens(now: dt.datetime, dry_run: bool = False, progress=None) -> dict:
    """Daily: remove link tokens that expired or were used more than a day ago."""
    stale = sa.or_(AccountToken.expires_at < now,
                   AccountToken.used_at < now - dt.timedelta(days=1))
    if dry_run:
        return {"removed": db.session.scalar(sa.select(sa.func.count()).where(stale))}
    removed = db.session.execute(sa.delete(AccountToken).where(stale)).rowcount
    db.session.commit()
    return {"removed": removed}


PREVIEW_LIFETIME = dt.timedelta(days=1)


def expire_import_previews(now: dt.datetime, dry_run: bool = False, progress=None) -> dict:
    """Hourly: remove import previews left unconfirmed for a day (they hold people's rows)."""
    folder = traces.upload_folder()
    cutoff = (now - PREVIEW_LIFETIME).timestamp()
    stale = [path for path in folder.iterdir()
             if path.is_file() and path.stat().st_mtime < cutoff] if folder.is_dir() else []
    if not dry_run:
        for path in stale:
            path.unlink(missing_ok=True)
    return {"expired": len(stale)}


JOBS = {
    "dormancy-check": dormancy_check,
    "deletion-deadlines": deletion_deadlines,
    "mail-delivery": deliver_mail,
    "token-cleanup": cleanup_tokens,
    "stats-release": scheduled_release,
    "preview-expiry": expire_import_previews,
}


def run_job(name: str, now: dt.datetime | None = None, dry_run: bool = False,
            progress=None) -> dict | None:
    """Run a job under its lock and record the run; None when another runner holds the lock."""
    now = now or utcnow()
    function = JOBS[name]
    if dry_run:
        return function(now, dry_run=True)
    with job_lock(name) as held:
        if not held:
            log.info("job %s skipped: another runner holds its lock", name)
            return None
        # Holding the lock, no other run of this job is alive: a run still marked running
        # was killed (its lock died with it).
        db.session.execute(
            sa.update(JobRun).where(JobRun.job == name, JobRun.status == "running")
            .values(status="interrupted", finished_at=utcnow())
            .execution_options(synchronize_session=False))
        run = JobRun(job=name, as_of=now, started_at=utcnow())
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        try:
            counts = function(now, progress=progress)
        except Exception as error:
            db.session.rollback()
            _finish(run_id, "failed", None, "".join(
                traceback.format_exception_only(type(error), error)).strip())
            log.exception("job %s failed", name)
            raise
        _finish(run_id, "succeeded", counts, None)
        return counts


def _finish(run_id: int, status: str, counts: dict | None, error: str | None) -> None:
    run = db.session.get(JobRun, run_id)
    run.status = status
    run.counts = counts
    run.error = error
    run.finished_at = utcnow()
    db.session.commit()
