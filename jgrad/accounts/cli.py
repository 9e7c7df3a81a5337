"""``flask accounts``: create accounts so an operator can bootstrap a deployment."""
from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from jgrad.accounts.models import Role
from jgrad.accounts.services import AccountError, create_account
from jgrad.extensions import db
from jgrad.universities.models import University

accounts_cli = AppGroup("accounts", help="Manage accounts.")

ROLE_NAMES = {"registrant": Role.REGISTRANT, "staff": Role.STAFF,
              "analyst": Role.ANALYST, "admin": Role.ADMIN}


@accounts_cli.command("create")
@click.option("--role", type=click.Choice(sorted(ROLE_NAMES)), required=True)
@click.option("--email", required=True)
@click.option("--university", "university_code", help="University code (staff only).")
@click.option("--staff-role", type=click.Choice(["viewer", "editor"]), default="viewer",
              show_default=True, help="Staff only: editors may also import, correct, contact.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input; otherwise an invitation is mailed.")
def create_command(role: str, email: str, university_code: str | None, staff_role: str,
                   password_stdin: bool):
    """Create a staff, analyst or administrator account."""
    if role == "registrant":
        raise click.UsageError(
            "Registrants sign up at /signup or are invited by a university import."
        )
    university_id = None
    if university_code:
        university_id = db.session.scalar(
            sa.select(University.id).where(University.code == university_code.strip().upper())
        )
        if university_id is None:
            raise click.BadParameter(f"no university {university_code}",
                                     param_hint="--university")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        account = create_account(role=ROLE_NAMES[role], email=email, password=password,
                                 university_id=university_id,
                                 staff_role=staff_role if role == "staff" else None)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if password is None:
        click.echo(f"Created {role} account {account.email}; an invitation has been queued "
                   f"(deliver it with 'flask --app jgrad mail send').")
    else:
        click.echo(f"Created {role} account {account.email}; it can log in now.")
