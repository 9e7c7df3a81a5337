"""``flask universities``: manage the universities that supply and use records."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from jgrad.extensions import db
from jgrad.universities.models import KINDS, University
from jgrad.universities.services import UniversityExists, add_university

# The imports package adds ``import`` to this group (universities imports no other domain).
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
    try:
        add_university(code=code, name_en=name_en, name_ja=name_ja, kind=kind,
                       cooperating=cooperating)
    except UniversityExists:
        raise click.ClickException(f"A university with code {code} exists already.") from None
    db.session.commit()
    state = "cooperating" if cooperating else "not cooperating"
    click.echo(f"Added university {code} ({name_en}), {state}.")


@universities_cli.command("list")
def list_command() -> None:
    """List universities."""
    for university in db.session.scalars(sa.select(University).order_by(University.code)):
        flag = "cooperating" if university.cooperating else "not cooperating"
        click.echo(f"{university.code:<12} {university.name_en} / {university.name_ja} ({flag})")
