"""What domain packages declare in their ``init_app``: jobs, personal-data tables, statistics.

The scheduler runs the jobs registered here; deletion, ``leftovers`` and the registrant's
download read the personal-data tables registered here. A new package joins them from its
own ``init_app`` and never edits a list in another package.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from flask import Flask, current_app

TIMEZONE = "Asia/Tokyo"  # the zone of every schedule
Job = Callable[..., dict]  # job(now, dry_run=False, progress=None) -> counts


@dataclass(frozen=True)
class ScheduledJob:
    """A job the scheduler runs: its id, function, trigger and how often it is due."""

    id: str
    function: Job
    trigger: object  # an APScheduler trigger (cron or interval, Asia/Tokyo)
    every: dt.timedelta  # how often it should have run; used to catch up after downtime
    title: object = None  # what it does, in words (a lazy string), for the dashboard


@dataclass(frozen=True)
class PersonalTable:
    """A table whose rows are about one person.

    ``person`` names its column(s) naming the person: ending in ``registrant_id`` (a
    registrant's id) or ``account_id`` (an account's id).
    ``download`` names the part of the registrant's download it makes (None: not shown to
    them), ``row`` turns one of its rows into what the download shows. ``delete``: deletion
    removes its rows; False for the audit trail, which deletion keeps and unlinks.
    """

    model: type
    person: str | tuple[str, ...] = "registrant_id"
    download: str | None = None
    row: Callable[[object], dict] | None = None
    order_by: str = "id"
    delete: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.person,) if isinstance(self.person, str) else self.person

    def about(self, registrant_ids, account_ids):
        """Return the condition selecting these people's rows."""
        import sqlalchemy as sa

        return sa.or_(*(getattr(self.model, name).in_(
            list(registrant_ids) if name.endswith("registrant_id") else list(account_ids))
            for name in self.columns))


@dataclass
class Registry:
    jobs: dict[str, ScheduledJob] = field(default_factory=dict)
    personal_tables: list[PersonalTable] = field(default_factory=list)
    # Functions as_of -> inputs a release adds tables from (closed surveys' answers).
    stats_sources: dict[str, Callable] = field(default_factory=dict)


def registry(app: Flask | None = None) -> Registry:
    """Return the application's registry (the current one's by default)."""
    app = app or current_app
    return app.extensions.setdefault("jgrad.registry", Registry())


def register_job(app: Flask, job_id: str, function: Job, trigger, every: dt.timedelta, *,
                 title) -> None:
    """Declare a scheduled job and what it does in words; an id registered twice is a mistake."""
    jobs = registry(app).jobs
    if job_id in jobs:
        raise ValueError(f"job {job_id!r} is registered twice")
    jobs[job_id] = ScheduledJob(job_id, function, trigger, every, title)


def register_personal_table(app: Flask, model: type, **options) -> None:
    """Declare a table holding rows about one person; register children before parents."""
    table = PersonalTable(model, **options)
    for name in table.columns:
        if not name.endswith(("registrant_id", "account_id")) or not hasattr(model, name):
            raise ValueError(f"{model.__name__}.{name} does not name a registrant or account")
    tables = registry(app).personal_tables
    if any(t.model is model for t in tables):
        raise ValueError(f"{model.__name__} is registered twice")
    tables.append(table)


def register_stats_source(app: Flask, name: str, function: Callable) -> None:
    """Declare a source of statistical tables: ``function(as_of)`` returns its inputs."""
    sources = registry(app).stats_sources
    if name in sources:
        raise ValueError(f"statistics source {name!r} is registered twice")
    sources[name] = function


def stats_sources() -> dict[str, Callable]:
    """Return the registered sources of statistical tables, by name."""
    return dict(registry().stats_sources)


def personal_tables(*, deleted: bool | None = None) -> list[PersonalTable]:
    """Return the registered personal-data tables (only those deletion removes, or keeps)."""
    tables = registry().personal_tables
    return [t for t in tables if deleted is None or t.delete == deleted]
