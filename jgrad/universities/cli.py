"""``flask universities``: manage the universities that supply and use records."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.universities.models import KINDS, University

universities_cli = AppGroup("universities", help="Manage universities.")


@universities_cli.command("add")
@click.argument("code")
@click.option("--name-en", required=True, help="Name in English.")
@click.option("--name-ja", required=True, help="Name in Japanese.")
@click.option("--cooperating/--not-cooperating", default=True, show_default=True,
              help="Whether the university takes part in joint utilization.")
@click.option("--kind", type=click.Choice(KINDS), default="national", show_default=True,
              help="National, public or private (small ones are grouped by kind in statistics).")
def add_command(code: str, name_en: str, name_ja: str, cooperating: bool, kind: str) -> None:
    """Add a university with its code and names."""
    code = code.strip().upper()
    if not code or len(code) > 16 or not code.replace("-", "").isalnum():
        raise click.BadParameter("use 1-16 letters, digits or '-'", param_hint="CODE")
    if db.session.scalar(sa.select(University.id).where(University.code == code)):
        raise click.ClickException(f"A university with code {code} exists already.")
    university = University(code=code, name_en=name_en.strip(), name_ja=name_ja.strip(),
                            cooperating=cooperating, kind=kind)
    db.session.add(university)
    db.session.flush()
    audit.record("university.created", object_type="university", object_id=university.id,
                 details={"code": code, "cooperating": cooperating})
    db.session.commit()
    state = "cooperating" if cooperating else "not cooperating"
    click.echo(f"Added university {code} ({name_en}), {state}.")


@universities_cli.command("list")
def list_command() -> None:
    """List universities."""
    for university in db.session.scalars(sa.select(University).order_by(University.code)):
        flag = "cooperating" if university.cooperating else "not cooperating"
        click.echo(f"{university.code:<12} {university.name_en} / {university.name_ja} ({flag})")


@universities_cli.command("import")
@click.argument("code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and count; write nothing.")
def import_command(code: str, file: str, dry_run: bool) -> None:
    """Load a CSV or XLSX file of doctoral students (see docs/import-format.md)."""
    import time
    from pathlib import Path

    from jgrad.actors import Actor, Source
    from jgrad.portal import importer
    from jgrad.portal.importfile import parse

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
