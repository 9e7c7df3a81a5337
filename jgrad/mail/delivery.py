"""Deliver the outbox: each message claimed by one sender, sent over SMTP (or, in
development, to a private file), then its link secret erased.

Delivery is at-least-once. A sender claims a message atomically before sending it, so no
two running senders ever send the same one. A claim left by a sender that died is given
back at once when that sender was a process of this host, otherwise after
``MAIL_CLAIM_SECONDS``; the message is then sent again. So a sender killed after the SMTP
server took a message but before it recorded that may cause that one message to arrive
twice (with the same Message-ID, which mail programs use to fold duplicates); a message is
never lost by a crash.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import smtplib
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.jobs.locks import owner_is_gone, process_identity
from jgrad.mail.bounces import report_bounced
from jgrad.mail.models import DeliveryState, OutboxMessage

log = logging.getLogger("jgrad.mail")


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    reclaimed: int = 0  # claims of dead or stalled senders given back
    errors: list[str] = field(default_factory=list)


class PermanentFailure(Exception):
    """The server refused the message for good (5xx)."""


class TemporaryFailure(Exception):
    """The server could not take the message now (4xx, unreachable)."""


def files_instead_of_smtp(config) -> bool:
    """Mail goes to instance/mail/*.eml only with no SMTP host, in development or tests."""
    return not config["SMTP_HOST"] and (config["ENV"] == "development" or config["TESTING"])


def can_deliver(config) -> bool:
    """True when mail has somewhere to go: an SMTP server, or files in development."""
    return bool(config["SMTP_HOST"]) or files_instead_of_smtp(config)


def release_abandoned_claims(now: dt.datetime | None = None) -> int:
    """Give back claims whose sender is gone (this host) or held them too long (any host)."""
    now = now or utcnow()
    stale_before = now - dt.timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    claims = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.claimed_by, OutboxMessage.claimed_at,
                  OutboxMessage.attempts)
        .where(OutboxMessage.state == DeliveryState.SENDING)).all()
    released = 0
    for message_id, claimed_by, claimed_at, attempts in claims:
        sender = (claimed_by or "").rsplit("/", 1)[0]
        if claimed_at is not None and claimed_at > stale_before and not owner_is_gone(sender):
            continue
        # A message whose every attempt ended with its sender stopped is given up.
        given_up = attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
        end = (dict(state=DeliveryState.FAILED, link_secret=None,
                    last_error="The sender stopped while sending it, at every attempt.")
               if given_up else dict(state=DeliveryState.PENDING))
        released += db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == claimed_by,
                   OutboxMessage.state == DeliveryState.SENDING)
            .values(claimed_by=None, claimed_at=None, **end)
            .execution_options(synchronize_session=False)).rowcount
        log.warning("mail #%s: claim of %s given back; %s", message_id, claimed_by,
                    "given up" if given_up else "it will be sent again")
    db.session.commit()
    return released


def claim_next(now: dt.datetime) -> OutboxMessage | None:
    """Claim the oldest due message for this sender, atomically; None when none is left.

    One UPDATE moves a pending row to "sending" under a claim nobody else has: PostgreSQL
    skips rows another sender is claiming (FOR UPDATE SKIP LOCKED); SQLite runs the
    statement under its single writer lock. The state condition makes a row claimed by
    another sender in the meantime drop out. The row is chosen by an uncorrelated scalar
    subquery, which PostgreSQL evaluates once (``IN (...)`` may be rescanned per row, and
    with LIMIT and SKIP LOCKED each rescan locks another row).
    """
    db.session.commit()  # a fresh transaction: never decide on an older snapshot
    claim = f"{process_identity()}/{uuid.uuid4().hex[:12]}"
    due = (sa.select(OutboxMessage.id)
           .where(OutboxMessage.state == DeliveryState.PENDING,
                  OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.id).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == due.scalar_subquery(),
               OutboxMessage.state == DeliveryState.PENDING)
        .values(state=DeliveryState.SENDING, claimed_by=claim, claimed_at=utcnow(),
                attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if claimed != 1:
        return None
    return db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.claimed_by == claim))


def deliver_pending(now: dt.datetime | None = None, limit: int = 100,
                    progress=None) -> DeliveryReport:
    """Claim and deliver due messages one at a time, at most ``limit`` of them."""
    report = DeliveryReport()
    config = current_app.config
    if not can_deliver(config):
        report.errors.append("No SMTP server is configured (SMTP_HOST); mail stays queued.")
        log.error(report.errors[-1])
        return report
    now = now or utcnow()
    report.reclaimed = release_abandoned_claims()
    for _ in range(limit):
        message = claim_next(now)
        if message is None:
            break
        claim = message.claimed_by
        db.session.expunge(message)  # its end state is stored only under its claim
        _attempt(message, report, now)
        finished = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == claim)
            .values(state=message.state, last_error=message.last_error,
                    next_attempt_at=message.next_attempt_at, sent_at=message.sent_at,
                    link_secret=message.link_secret, claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)).rowcount
        if finished != 1:
            log.error("mail #%s: its claim was given back while it was being sent", message.id)
        db.session.commit()
        if progress:
            progress(message)
    return report


def _attempt(message: OutboxMessage, report: DeliveryReport, now: dt.datetime) -> None:
    """Send one claimed message and set the state it ends in (not yet stored)."""
    config = current_app.config
    try:
        if config["SMTP_HOST"]:
            _send_smtp(message, config)
        else:
            _write_file(message, config)
    except PermanentFailure as error:
        _end(message, DeliveryState.FAILED, str(error))
        report.failed += 1
        report.errors.append(f"#{message.id}: {error}")
        if message.account_id is not None:  # its account's address, if it still has it
            report_bounced([message.to_address], account_id=message.account_id)
        return
    except TemporaryFailure as error:
        if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            _end(message, DeliveryState.FAILED, str(error))
            report.failed += 1
        else:
            # Back off: 1, 2, 4, 8 ... minutes, at most six hours.
            delay = min(2 ** (message.attempts - 1), 360)
            message.state = DeliveryState.PENDING
            message.last_error = str(error)[:500]
            message.next_attempt_at = now + dt.timedelta(minutes=delay)
            report.retried += 1
        report.errors.append(f"#{message.id}: {error}")
        return
    _end(message, DeliveryState.SENT, None)
    message.sent_at = utcnow()
    report.sent += 1


def _end(message: OutboxMessage, state: DeliveryState, error: str | None) -> None:
    """Close a message for good; the secret of its link is no longer needed anywhere."""
    message.state = state
    message.last_error = error[:500] if error else None
    message.link_secret = None


def build_email(message: OutboxMessage, sender: str, cte: str | None = None) -> EmailMessage:
    """Turn an outbox row into a MIME message (``cte="8bit"`` keeps links readable in files).

    The Message-ID is the same at every attempt, so a message sent again after a crash is
    recognisably the same message.
    """
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "jgrad.local"
    stamp = hashlib.sha256(f"{message.key}|{message.created_at.isoformat()}".encode())
    email["Message-ID"] = f"<outbox.{message.id}.{stamp.hexdigest()[:16]}@{domain}>"
    email.set_content(message.text(), cte=cte)
    return email


def _send_smtp(message: OutboxMessage, config) -> None:
    email = build_email(message, config["MAIL_SENDER"])
    smtp_class = smtplib.SMTP_SSL if config["SMTP_SSL"] else smtplib.SMTP
    try:
        with smtp_class(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]
        ) as smtp:
            if config["SMTP_TLS"] and not config["SMTP_SSL"]:
                smtp.starttls()
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        _raise_for_code(code, text)
    except smtplib.SMTPResponseException as error:
        _raise_for_code(error.smtp_code, error.smtp_error)
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(f"{type(error).__name__}: {error}") from error


def _raise_for_code(code: int, text) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if 500 <= code < 600:
        raise PermanentFailure(f"{code} {text}")
    raise TemporaryFailure(f"{code} {text}")


def mail_folder() -> Path:
    """Return where development mail files are written (in the instance folder)."""
    return Path(current_app.instance_path) / "mail"


def _write_file(message: OutboxMessage, config) -> None:
    """Development only: write the message where the developer can follow its link.

    The file holds the link in clear, so it is readable by its owner only (0600, in a 0700
    folder); production configuration never writes these files.
    """
    folder = mail_folder()
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    stamp = message.created_at.strftime("%Y%m%dT%H%M%S")
    path = folder / f"{stamp}-{message.id:06d}-{message.kind}.eml"
    content = bytes(build_email(message, config["MAIL_SENDER"], cte="8bit"))
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(content)
    log.warning(
        "No SMTP server configured: mail #%s (%s) written to %s", message.id, message.kind, path
    )
