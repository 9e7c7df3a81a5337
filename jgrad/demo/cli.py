"""``flask demo-data``: universities, one account per role and synthetic registrants."""
from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from jgrad.accounts.models import Account, Role
from jgrad.demo.generate import (
    DEMO_LOGINS,
    REGISTRANT_PASSWORD,
    create_registrants,
    ensure_role_accounts,
    ensure_universities,
)
from jgrad.extensions import db


@click.command("demo-data")
@click.option("--registrants", "count", default=200, show_default=True,
              type=click.IntRange(0, 2_000_000), help="How many synthetic registrants to add.")
@click.option("--seed", default=2026, show_default=True, help="Random seed.")
@click.option("--if-empty", is_flag=True,
              help="Add registrants only when the database has none (used by 'make run').")
@click.option("--dry-run", is_flag=True, help="Say what would be created and stop.")
@click.option("--logins", type=click.Choice(["print", "skip", "only"]), default="print",
              show_default=True,
              help="Print the log-ins after loading, not at all, or only them (loading nothing).")
@with_appcontext
def demo_data(count: int, seed: int, if_empty: bool, dry_run: bool, logins: str) -> None:
    """Load demo data and print the log-ins for each role."""
    if logins == "only":
        _print_logins()
        return
    registrants = db.session.scalar(
        sa.select(sa.func.count(Account.id)).where(Account.role == Role.REGISTRANT)
    )
    if if_empty and registrants:
        count = 0
        click.echo(f"The database has {registrants} registrants already; adding none.")
    if dry_run:
        click.echo(f"Would ensure the demo universities and role accounts and add {count} "
                   "registrants.")
        return
    universities = ensure_universities()
    created = ensure_role_accounts(universities)
    db.session.commit()
    click.echo(f"{len(universities)} universities; {created} role account(s) created.")
    if count:
        started = time.perf_counter()
        with click.progressbar(length=count, label="Registrants") as bar:
            last = [0]

            def advance(done, total):
                bar.update(done - last[0])
                last[0] = done

            summary = create_registrants(count, seed=seed, progress=advance)
        click.echo(
            f"Added {summary.registrants} registrants, {summary.enrolments} enrolments and "
            f"{summary.career_spells} career spells in {time.perf_counter() - started:.1f}s."
        )
        _demo_survey()
    if logins == "print":
        _print_logins()


def _demo_survey() -> None:
    """Run the example career survey (open) and an earlier round of it (closed)."""
    from jgrad.db import utcnow
    from surveys.demo import CLOSED_SLUG, demo_closed_survey, demo_survey

    summary = demo_survey(utcnow())
    if summary is not None:
        click.echo(f"Survey career-wave: {summary.invited} invited, {summary.complete} "
                   f"complete and {summary.partial} partial responses.")
    closed = demo_closed_survey(utcnow())
    if closed is not None:
        click.echo(f"Survey {CLOSED_SLUG} (closed, so its tables join the statistics): "
                   f"{closed.invited} invited, {closed.complete} complete and "
                   f"{closed.partial} partial responses.")


def _print_logins() -> None:
    first = db.session.scalar(
        sa.select(Account).where(Account.role == Role.REGISTRANT).order_by(Account.id).limit(1)
    )
    click.echo("\nDemo log-ins (local use only):")
    for role, (email, password) in DEMO_LOGINS.items():
        click.echo(f"  {role.value:<10} {email:<32} {password}")
        key = db.session.scalar(sa.select(Account.totp_key).where(
            Account.email == email, Account.totp_enabled_at.is_not(None)))
        if key:
            click.echo(f"  {'':<10} two-factor key {key}: add it to an authenticator app, or "
                       f"get the current code with\n  {'':<10} .venv/bin/python -m "
                       f"jgrad.accounts.totp {key}")
    if first is not None:
        click.echo(f"  {'registrant':<10} {first.login:<32} {REGISTRANT_PASSWORD}"
                   f"   (or {first.email})")
