"""Each scheduled job's latest runs at a glance, for the administrators' dashboard.

Set-based: one grouped query per figure, whatever the number of runs (the mail job alone
runs 1,440 times a day).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from jgrad.extensions import db
from jgrad.jobs.models import JobRun

STATUS_WORDS = {"running": _l("Running"), "succeeded": _l("Succeeded"),
                "failed": _l("Failed"), "interrupted": _l("Interrupted (process stopped)")}
FAILED = ("failed", "interrupted")


@dataclass
class JobSummary:
    """One job: what it does, its latest run, its last success and failure, how busy it is."""

    id: str
    title: object
    latest: JobRun | None
    last_success_at: dt.datetime | None
    last_failure: JobRun | None
    runs_last_day: int
    late: bool

    @property
    def latest_status(self) -> object:
        return STATUS_WORDS.get(self.latest.status, self.latest.status) if self.latest else None


def _by_job(query) -> dict:
    return dict(db.session.execute(query.group_by(JobRun.job)).all())


def _latest(*conditions) -> dict[str, JobRun]:
    """Return each job's most recently started run among those meeting ``conditions``."""
    newest = (sa.select(JobRun.job, sa.func.max(JobRun.started_at).label("started_at"))
              .where(*conditions).group_by(JobRun.job).subquery())
    rows = db.session.scalars(sa.select(JobRun).join(newest, sa.and_(
        JobRun.job == newest.c.job, JobRun.started_at == newest.c.started_at))
        .order_by(JobRun.id))
    return {run.job: run for run in rows}


def summaries(jobs: dict, now: dt.datetime) -> list[JobSummary]:
    """Summarise every registered job (``jobs``: id -> ScheduledJob), in registration order."""
    latest = _latest()
    failures = _latest(JobRun.status.in_(FAILED))
    successes = _by_job(sa.select(JobRun.job, sa.func.max(JobRun.finished_at))
                        .where(JobRun.status == "succeeded"))
    busy = _by_job(sa.select(JobRun.job, sa.func.count())
                   .where(JobRun.started_at >= now - dt.timedelta(days=1)))
    result = []
    for job_id, job in jobs.items():
        success = successes.get(job_id)
        if success is not None and success.tzinfo is None:
            success = success.replace(tzinfo=dt.timezone.utc)
        result.append(JobSummary(
            id=job_id, title=job.title or job_id, latest=latest.get(job_id),
            last_success_at=success, last_failure=failures.get(job_id),
            runs_last_day=busy.get(job_id, 0),
            late=success is None or now - success > 2 * job.every))
    return result
