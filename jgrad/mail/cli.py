"""``flask mail``: deliver the outbox by hand."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.mail.bounces import report_bounced
from jgrad.mail.delivery import can_deliver, deliver_pending, release_abandoned_claims
from jgrad.mail.models import DeliveryState, OutboxMessage

mail_cli = AppGroup("mail", help="Deliver and inspect the outbox.")


@mail_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Only count what is due.")
@click.option("--batch", default=100, show_default=True, help="Messages per batch.")
def send_command(dry_run: bool, batch: int) -> None:
    """Deliver every pending message that is due (safe beside the scheduler)."""
    if not dry_run and not can_deliver(current_app.config):
        raise click.ClickException("No SMTP server is configured (SMTP_HOST); "
                                   "nothing was sent.")
    # Messages a stopped sender had claimed are due again first.
    reclaimed = 0 if dry_run else release_abandoned_claims()
    due = db.session.scalar(
        sa.select(sa.func.count()).where(
            OutboxMessage.state == DeliveryState.PENDING,
            OutboxMessage.next_attempt_at <= utcnow(),
        )
    )
    click.echo(f"{due} message(s) due.")
    if dry_run or not due:
        return
    totals = {"sent": 0, "retried": 0, "failed": 0, "reclaimed": reclaimed}
    done = 0
    while True:
        report = deliver_pending(limit=batch)
        handled = report.sent + report.retried + report.failed
        for name in totals:
            totals[name] += getattr(report, name)
        for line in report.errors:
            click.echo(f"  {line}", err=True)
        done += handled
        click.echo(f"  {done}/{due} handled")
        if handled < batch:
            break
    click.echo(
        f"Sent {totals['sent']}, will retry {totals['retried']}, failed {totals['failed']}."
    )
    if totals["reclaimed"]:
        click.echo(f"{totals['reclaimed']} message(s) left by a stopped sender were sent again.")


@mail_cli.command("bounces")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Only count the addresses that would be marked.")
def bounces_command(file, dry_run: bool) -> None:
    """Mark the addresses in FILE (one per line, or the first CSV column) invalid."""
    addresses = set()
    for number, line in enumerate(file, start=1):
        value = line.split(",")[0].strip().strip('"').lower()
        if not value or value.startswith("#") or value == "email":
            continue
        if "@" not in value:
            raise click.ClickException(f"line {number}: {value!r} is not an e-mail address; "
                                       "nothing was changed.")
        addresses.add(value)
    known = report_bounced(addresses, dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    verb = "Would mark" if dry_run else "Marked"
    click.echo(f"{len(addresses)} address(es) read; {verb} {known} account address(es) invalid.")
