"""``flask universities import``: load a university's file from the command line."""
from __future__ import annotations

import time
from pathlib import Path

import click
import sqlalchemy as sa

from jgrad.actors import Actor, Source
from jgrad.extensions import db
from jgrad.imports import importer
from jgrad.imports.importfile import parse
from jgrad.universities.models import University


@click.command("import")
@click.argument("code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and count; write nothing.")
def import_command(code: str, file: str, dry_run: bool) -> None:
    """Load a CSV or XLSX file of doctoral students (see docs/import-format.md)."""
    university = db.session.scalar(sa.select(University).where(University.code == code.upper()))
    if university is None:
        raise click.BadParameter(f"no university {code}", param_hint="CODE")
    started = time.perf_counter()
    path = Path(file)
    parsed = parse(path.read_bytes(), path.name)
    click.echo(f"Read {len(parsed.rows)} valid row(s) from {path.name} "
               f"in {time.perf_counter() - started:.1f} s.")
    problems = list(parsed.problems)
    plan = importer.plan(university.id, parsed.rows) if not problems else None
    if plan is not None:
        problems += plan.problems
    if problems:
        for problem in problems[:200]:
            click.echo(f"  {problem}", err=True)
        if len(problems) > 200:
            click.echo(f"  ... and {len(problems) - 200} more", err=True)
        raise click.ClickException(f"{len(problems)} problem(s); nothing was imported.")
    summary = plan.summary()
    if not dry_run:
        def progress(done, total):
            click.echo(f"  created {done}/{total} new registrant(s)")

        actor = Actor(Source.UNIVERSITY, None, university.id)
        summary = importer.apply(university, plan, actor, progress=progress)
        db.session.commit()
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb}: {summary['added']} added, {summary['updated']} updated, "
               f"{summary['unchanged']} unchanged, {summary['flagged']} flagged for review, "
               f"{summary['unavailable']} not available "
               f"({time.perf_counter() - started:.1f} s).")
