"""``flask scheduler``: run every registered job (``jgrad.registry``) in a process of its own."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import click
import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.jobs.locks import lock_owner
from jgrad.jobs.models import JobRun
from jgrad.jobs.runner import run_job
from jgrad.registry import TIMEZONE, registry

log = logging.getLogger("jgrad.scheduler")
# A run missed while the scheduler was down still happens within this time (and only once).
MISFIRE_GRACE_SECONDS = 12 * 3600


def _in_app(app: Flask, job: str):
    def run() -> None:
        with app.app_context():
            try:
                counts = run_job(job)
                log.info("job %s: %s", job, counts if counts is not None else "skipped (locked)")
            except Exception:
                log.exception("job %s failed", job)
            finally:
                db.session.remove()

    run.__name__ = f"run_{job.replace('-', '_')}"
    return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Register every job with coalescing and a grace time of hours."""
    scheduler = BlockingScheduler(timezone=TIMEZONE)
    for job in registry(app).jobs.values():
        scheduler.add_job(
            _in_app(app, job.id), job.trigger, id=job.id, name=job.id,
            coalesce=True, misfire_grace_time=MISFIRE_GRACE_SECONDS, max_instances=1,
            replace_existing=True,
        )
    return scheduler


def overdue(now: dt.datetime | None = None) -> list[str]:
    """Return the jobs whose last successful run is older than their period (or missing)."""
    now = now or utcnow()
    last = dict(db.session.execute(
        sa.select(JobRun.job, sa.func.max(JobRun.started_at))
        .where(JobRun.status == "succeeded").group_by(JobRun.job)).all())
    return [job.id for job in registry().jobs.values()
            if job.id not in last or last[job.id] + job.every <= now]


@dataclass
class CatchUp:
    ran: list[str]
    busy: list[str]  # another runner holds the job's lock
    failed: list[str]


def catch_up(now: dt.datetime | None = None) -> CatchUp:
    """Run once each job that was missed while no scheduler was running."""
    result = CatchUp([], [], [])
    for job in overdue(now):
        try:
            counts = run_job(job)
        except Exception:  # recorded as a failed run; the other jobs still run
            db.session.rollback()
            log.exception("job %s failed", job)
            result.failed.append(job)
            continue
        (result.ran if counts is not None else result.busy).append(job)
    return result


@click.command("scheduler")
@click.option("--catch-up-only", is_flag=True, help="Run missed jobs once and stop.")
@with_appcontext
def scheduler_command(catch_up_only: bool) -> None:
    """Run the scheduled jobs in this process (never inside the web workers)."""
    app = current_app._get_current_object()
    result = catch_up()
    nothing = "none here" if result.busy or result.failed else "nothing was missed"
    click.echo(f"Caught up: {', '.join(result.ran) or nothing}.")
    for job in result.busy:
        owner = lock_owner(job)
        click.echo(f"  {job}: running elsewhere{f' ({owner})' if owner else ''}.")
    for job in result.failed:
        click.echo(f"  {job}: failed; see the log.", err=True)
    db.session.remove()
    if catch_up_only:
        return
    scheduler = build_scheduler(app)
    for job in scheduler.get_jobs():
        click.echo(f"  {job.id}: {job.trigger}")
    click.echo("Scheduler running; Ctrl+C to stop.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
