"""The mail job: deliver the outbox every minute, beside any other sender."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.mail.delivery import can_deliver
from jgrad.mail.models import DeliveryState, OutboxMessage


class MailNotConfigured(RuntimeError):
    """Mail cannot leave: no SMTP server is configured outside development."""


def deliver_mail(now: dt.datetime, dry_run: bool = False, progress=None,
                 batch: int = 100) -> dict:
    """Every minute: deliver what is due in the outbox (beside any other sender)."""
    if dry_run:
        return {"due": db.session.scalar(sa.select(sa.func.count()).where(
            OutboxMessage.state == str(DeliveryState.PENDING),
            OutboxMessage.next_attempt_at <= now))}
    if not can_deliver(current_app.config):
        raise MailNotConfigured("No SMTP server is configured (SMTP_HOST); mail stays queued.")
    totals = {"sent": 0, "retried": 0, "failed": 0, "reclaimed": 0}
    while True:
        report = mail.deliver_pending(now=now, limit=batch)
        for name in totals:
            totals[name] += getattr(report, name)
        if progress:
            progress("sent", totals["sent"])
        if report.sent + report.retried + report.failed < batch:
            return totals
