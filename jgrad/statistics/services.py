"""Make, store and find statistical releases."""
from __future__ import annotations

import datetime as dt
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
    CHARTS, FORMATS, chart_file, read_release, write_release,
)


def releases_folder() -> Path:
    return Path(current_app.instance_path) / "releases"


def folder_of(release: StatRelease) -> Path:
    return releases_folder() / release.folder


def rules_from_config() -> dict:
    config = current_app.config
    return {"threshold": config["STATS_THRESHOLD"], "rounding_base": config["STATS_ROUNDING"],
            "min_denominator": config["STATS_MIN_DENOMINATOR"]}


def latest() -> StatRelease | None:
    return db.session.scalar(sa.select(StatRelease).order_by(StatRelease.id.desc()).limit(1))


def build(as_of: dt.datetime, *, new_series: bool = False):
    """Compute a release as of a moment; return it with the stored release it continues."""
    from stats.release import build_release  # scipy and friends load only when needed

    previous_row = None if new_series else latest()
    previous = read_release(folder_of(previous_row)) if previous_row else None
    rules = rules_from_config()
    if previous is not None and any(getattr(previous.rules, k) != v for k, v in rules.items()):
        previous, previous_row = None, None  # the rules changed: a new series starts
    # Registered sources (closed surveys) add their tables, protected with the rest.
    surveys = [data for source in stats_sources().values() for data in source(as_of)]
    release = build_release(people_frame(as_of), spells_frame(as_of), as_of.date(),
                            previous=previous, surveys=surveys, **rules)
    return release, previous_row


def store(release, previous_row: StatRelease | None, *, account=None, out: Path | None = None,
          progress=None) -> StatRelease:
    """Write the release's files into the instance folder (and ``out``) and record it."""
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
        out.mkdir(parents=True, exist_ok=True)
        for path in folder.iterdir():
            if path.is_dir():  # one folder per language
                shutil.copytree(path, out / path.name, dirs_exist_ok=True)
            elif path.suffix != ".pickle":
                shutil.copy2(path, out / path.name)
    return row


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
    """Monthly job: a release as of now, continuing the series (so arrivals stay hidden)."""
    release, previous_row = build(now)
    counts = {"tables": len(release.tables), "withheld": len(release.withheld)}
    if dry_run:
        return counts
    row = store(release, previous_row)
    return {"release": row.id, **counts}
