"""``flask lifecycle``: run the dormancy and deletion jobs by hand, at any date."""
from __future__ import annotations

import datetime as dt

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.lifecycle.deletion import leftovers, replay_deletions
from jgrad.lifecycle.person import Person, people
from jgrad.registrants.models import Registrant
from jgrad.jobs.runner import run_job

lifecycle_cli = AppGroup("lifecycle", help="Dormancy and deletion lifecycle.")


def as_of_moment(day: dt.datetime | None) -> dt.datetime:
    """Turn --as-of into the end of that day (UTC), so that everything due that day counts."""
    if day is None:
        return utcnow()
    return dt.datetime.combine(day.date(), dt.time(23, 59, 59), tzinfo=dt.timezone.utc)


def _progress(step: str, done: int) -> None:
    click.echo(f"  {step}: {done}")


@lifecycle_cli.command("run")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Run as if today were this date (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Only count what would happen.")
def run_command(as_of: dt.datetime | None, dry_run: bool) -> None:
    """Run the dormancy check and the deletion deadlines, and say what happened."""
    now = as_of_moment(as_of)
    verb = "Would do" if dry_run else "Did"
    click.echo(f"Lifecycle as of {now:%Y-%m-%d %H:%M} UTC{' (dry run)' if dry_run else ''}:")
    dormancy = run_job("dormancy-check", now, dry_run=dry_run, progress=_progress)
    deletions = run_job("deletion-deadlines", now, dry_run=dry_run, progress=_progress)
    if dormancy is None or deletions is None:
        raise click.ClickException("Another runner holds the lock; nothing was done.")
    click.echo(
        f"{verb}: {dormancy['dormant']} newly dormant, {dormancy['notified']} notified, "
        f"{dormancy['reminded']} reminded, {dormancy['suspended']} suspended, "
        f"{dormancy['deleted']} deleted for dormancy, {deletions['deleted']} deleted on request, "
        f"{dormancy['reactivated']} reactivated."
    )


@lifecycle_cli.command("replay-deletions")
@click.option("--dry-run", is_flag=True, help="Only count who would be deleted.")
def replay_command(dry_run: bool) -> None:
    """Delete again everyone in the deletion ledger (after restoring a backup)."""
    count = replay_deletions(dry_run=dry_run)
    db.session.commit()
    click.echo(f"{'Would delete' if dry_run else 'Deleted'} {count} registrant(s) "
               "found in the deletion ledger.")


@lifecycle_cli.command("leftovers")
@click.argument("doctor_id")
@click.option("--email", "emails", multiple=True, help="An address the person used.")
@click.option("--name", "names", multiple=True,
              help="A family or given name (any script); give two as FAMILY GIVEN pairs.")
@click.option("--student-number", "numbers", multiple=True, help="A student number.")
def leftovers_command(doctor_id: str, emails, names, numbers) -> None:
    """Check that nothing of a deleted person is left; exit 1 and list what is."""
    doctor_id = doctor_id.strip().upper()
    registrant_id = db.session.scalar(
        sa.select(Registrant.id).where(Registrant.doctor_id == doctor_id))
    if registrant_id is not None:
        [person] = people([registrant_id])
    else:  # deleted: only what the operator remembers identifies them
        names = tuple(n.strip() for n in names if n.strip())
        person = Person(registrant_id=0, account_id=0, doctor_id=doctor_id,
                        emails=tuple(e.strip().lower() for e in emails), names=names,
                        full_names=tuple(zip(names[::2], names[1::2])),
                        student_numbers=tuple(numbers))
    found = {name: count for name, count in leftovers(person).items() if count}
    if not found:
        click.echo(f"Nothing is left of {doctor_id}.")
        return
    for name, count in sorted(found.items()):
        click.echo(f"  {name}: {count}")
    raise click.ClickException(f"{sum(found.values())} trace(s) of {doctor_id} remain.")
