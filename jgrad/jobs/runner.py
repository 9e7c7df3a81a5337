"""Run a registered job under its lock and record the run (by the scheduler or by hand)."""
from __future__ import annotations

import datetime as dt
import logging
import traceback

import sqlalchemy as sa

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.jobs.locks import job_lock
from jgrad.jobs.models import JobRun
from jgrad.registry import registry

log = logging.getLogger("jgrad.jobs")


def run_job(name: str, now: dt.datetime | None = None, dry_run: bool = False,
            progress=None) -> dict | None:
    """Run a job under its lock and record the run; None when another runner holds the lock."""
    now = now or utcnow()
    function = registry().jobs[name].function
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
