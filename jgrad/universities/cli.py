"""``flask universities``: manage the universities that supply and use records."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.universities.models import KINDS, University

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
