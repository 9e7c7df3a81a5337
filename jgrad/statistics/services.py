"""Make, store and find statistical releases."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
import shutil
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.registry import stats_sources
from jgrad.statistics.extract import people_frame, spells_frame
from jgrad.statistics.models import StatRelease
from jgrad.statistics.publish import (
    CHARTS, FORMATS, chart_file, draw_charts, read_release, write_release,
)

log = logging.getLogger(__name__)


def releases_folder() -> Path:
    return Path(current_app.instance_path) / "releases"


def folder_of(release: StatRelease) -> Path:
    return releases_folder() / release.folder


def rules_from_config() -> dict:
    config = current_app.config
    return {"threshold": config["STATS_THRESHOLD"], "rounding_base": config["STATS_ROUNDING"],
            "min_denominator": config["STATS_MIN_DENOMINATOR"]}


METHODS = ("suppression", "differential_privacy")


class PrivacyBudgetSpent(Exception):
    """Refuse a private release: this fiscal year's releases have used the budget."""


def latest(method: str | None = None) -> StatRelease | None:
    """Return the newest release (of ``method`` only, when given)."""
    newest_first = sa.select(StatRelease).order_by(StatRelease.id.desc())
    if method is None:
        return db.session.scalar(newest_first.limit(1))
    # The newest of its method is among the last few: read a few at a time, not them all.
    rows = db.session.scalars(newest_first.execution_options(yield_per=8))
    try:
        return next((row for row in rows
                     if row.meta.get("method", "suppression") == method), None)
    finally:
        rows.close()


def _fiscal_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def privacy_spent(as_of: dt.date) -> float:
    """Return the privacy loss (rho) of the private releases of ``as_of``'s fiscal year."""
    year = _fiscal_year(as_of)
    start, end = dt.date(year, 4, 1), dt.date(year + 1, 4, 1)
    rows = db.session.scalars(sa.select(StatRelease).where(
        StatRelease.as_of >= start, StatRelease.as_of < end))
    return sum(float(row.meta.get("rules", {}).get("rho", 0.0)) for row in rows
               if row.meta.get("method") == "differential_privacy")


def build(as_of: dt.datetime, *, new_series: bool = False, method: str | None = None):
    """Compute a release as of a moment; return it with the stored release it continues.

    ``method`` defaults to the configured one (``STATS_METHOD``); a private release
    continues nothing, and a suppression release continues the last suppression release.
    """
    method = method or current_app.config["STATS_METHOD"]
    if method not in METHODS:
        raise ValueError(f"unknown statistics method {method!r}: one of {', '.join(METHODS)}")
    if method == "differential_privacy":
        return _build_private(as_of), None
    from stats.release import build_release  # scipy and friends load only when needed

    previous_row = None if new_series else latest("suppression")
    previous = read_release(folder_of(previous_row)) if previous_row else None
    rules = rules_from_config()
    if previous is not None and any(getattr(previous.rules, k) != v for k, v in rules.items()):
        previous, previous_row = None, None  # the rules changed: a new series starts
    # Registered sources (closed surveys) add their tables, protected with the rest.
    surveys = [data for source in stats_sources().values() for data in source(as_of)]
    release = build_release(people_frame(as_of), spells_frame(as_of), as_of.date(),
                            previous=previous, surveys=surveys, **rules)
    return release, previous_row


def _build_private(as_of: dt.datetime):
    """A private release as of a moment, if this fiscal year's budget allows it."""
    from jgrad.universities.models import University
    from stats.dp import build_dp_release

    config = current_app.config
    rho, budget = float(config["STATS_DP_RHO"]), float(config["STATS_DP_RHO_PER_YEAR"])
    spent = privacy_spent(as_of.date())
    if spent + rho > budget + 1e-9:
        raise PrivacyBudgetSpent(
            f"this fiscal year's private releases have lost rho = {spent:g} of the "
            f"{budget:g} allowed; one more would lose {rho:g}: nothing was released")
    # The public list of university types, not the types of the registrants' universities.
    types = db.session.scalars(sa.select(University.kind).distinct()).all()
    surveys = [data for source in stats_sources().values() for data in source(as_of)]
    return build_dp_release(people_frame(as_of), spells_frame(as_of), as_of.date(),
                            rho=rho, university_types=[t for t in types if t],
                            min_denominator=config["STATS_MIN_DENOMINATOR"],
                            surveys=surveys, spent_this_year=spent)


def store(release, previous_row: StatRelease | None, *, account=None, out: Path | None = None,
          progress=None) -> StatRelease:
    """Write the release's files into the instance folder (and ``out``) and record it.

    A private release is stored under a lock, and only while what this fiscal year has
    spent is still what the release was built on: two processes storing at once cannot
    both pass the budget, nor state a wrong loss for the year.
    """
    privacy = getattr(release, "privacy", None)
    if not privacy:
        return _store(release, previous_row, account=account, out=out, progress=progress)
    from jgrad.jobs.locks import job_lock

    with job_lock("stats-private-release") as held:
        if not held:
            raise PrivacyBudgetSpent("another private release is being stored now: "
                                     "nothing was released")
        spent = privacy_spent(release.as_of)
        budget = float(current_app.config["STATS_DP_RHO_PER_YEAR"])
        if abs(spent + privacy["rho"] - privacy["rho_this_year"]) > 1e-9 \
                or spent + privacy["rho"] > budget + 1e-9:
            raise PrivacyBudgetSpent(
                f"a private release of this fiscal year was stored after this one was "
                f"built (rho spent: {spent:g} of {budget:g}): nothing was released; build "
                f"it again")
        return _store(release, previous_row, account=account, out=out, progress=progress)


def _store(release, previous_row: StatRelease | None, *, account=None, out: Path | None = None,
           progress=None) -> StatRelease:
    name = f"{release.as_of:%Y%m%d}-{secrets.token_hex(4)}"
    folder = releases_folder() / name
    try:
        metadata = write_release(release, folder, progress)
        row = StatRelease(as_of=release.as_of, catalogue_version=release.catalogue_version,
                          previous_id=previous_row.id if previous_row else None,
                          created_by_account_id=getattr(account, "id", None), meta=metadata,
                          folder=name)
        db.session.add(row)
        db.session.flush()
        audit.record("stats.release.created", account=account, object_type="stat_release",
                     object_id=row.id, details={"as_of": release.as_of.isoformat()})
        db.session.commit()
    except Exception:
        db.session.rollback()
        shutil.rmtree(folder, ignore_errors=True)  # nothing half-written stays behind
        raise
    if out is not None:
        _draw_quietly(release, folder, row.id)  # the folder handed out has the charts
        out.mkdir(parents=True, exist_ok=True)
        for path in folder.iterdir():
            if path.is_dir():  # one folder per language
                shutil.copytree(path, out / path.name, dirs_exist_ok=True)
            elif path.suffix != ".pickle":
                shutil.copy2(path, out / path.name)
    return row


def draw_ahead(row: StatRelease) -> int:
    """Draw a stored release's catalogue charts now, so no reader waits for them.

    The release is published already; a chart that fails here is drawn (or fails) when it
    is first asked for, so a failure is logged, not raised. Returns the charts drawn.
    """
    return _draw_quietly(read_release(folder_of(row)), folder_of(row), row.id)


def _draw_quietly(release, folder: Path, release_id: int) -> int:
    try:
        return draw_charts(release, folder)
    except Exception:  # noqa: BLE001 - the release stands without its charts
        log.exception("statistics: the charts of release %s were not drawn ahead",
                      release_id)
        return 0


def languages(release: StatRelease) -> tuple[str, ...]:
    """Return the languages a release's files were written in; () when stored before
    files had languages (one set of files, in the site's default language)."""
    return tuple(release.meta.get("languages", ()))


def file_path(release: StatRelease, name: str, language: str | None = None) -> Path | None:
    """Return a release file's path when ``name`` is one of the release's own files.

    ``language`` picks the folder of a release written in several; None, or a release
    stored before files had languages, gives the files as they were written.
    """
    stem, _, suffix = name.rpartition(".")
    table_ids = {t["id"] for t in release.meta["tables"] if not t["withheld"]}
    if name != "release.json" and (stem not in table_ids or suffix not in FORMATS):
        return None
    written_in = languages(release)
    if language is not None and written_in and language not in written_in:
        return None
    language = (language or written_in[0]) if written_in else None
    if suffix in CHARTS:
        return chart_file(folder_of(release), stem, suffix, language)
    path = folder_of(release) / (language or "") / name
    return path if path.exists() else None


def scheduled_release(now: dt.datetime, dry_run: bool = False, progress=None) -> dict:
    """Monthly job: a release as of now, continuing the series (so arrivals stay hidden).

    A private release that the year's privacy budget no longer allows is skipped, and says so.
    """
    try:
        release, previous_row = build(now)
        counts = {"tables": len(release.tables), "withheld": len(release.withheld)}
        if dry_run:
            return counts
        row = store(release, previous_row)
    except PrivacyBudgetSpent as error:
        return {"skipped": str(error)}
    return {"release": row.id, **counts, "charts": draw_ahead(row)}
