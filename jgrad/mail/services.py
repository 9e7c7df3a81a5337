"""Queue mail in the outbox and deliver it over SMTP, or to .eml files in development."""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, render_template, url_for
from flask_babel import force_locale

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.mail.models import DeliveryState, OutboxMessage

log = logging.getLogger("jgrad.mail")


def init_mail(app: Flask) -> None:
    @app.after_request
    def _deliver_now(response):
        # Development convenience: with no SMTP server, write queued mail to files at once.
        if g.get("mail_queued") and current_app.config["MAIL_DELIVER_IMMEDIATELY"]:
            try:
                deliver_pending()
            except Exception:  # delivery must never break the page that queued it
                log.exception("immediate mail delivery failed")
        return response


def external_url(endpoint: str, **values) -> str:
    """Return an absolute link for mail, from config or the current request."""
    base = current_app.config.get("SERVER_NAME_FOR_MAIL")
    if base:
        with current_app.test_request_context():
            return base.rstrip("/") + url_for(endpoint, **values)
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url="http://127.0.0.1:5000"):
        return url_for(endpoint, _external=True, **values)


def queue(
    *,
    key: str,
    kind: str,
    to: str,
    template: str,
    locale: str = "en",
    account_id: int | None = None,
    **context,
) -> OutboxMessage | None:
    """Add a message to the outbox in the current transaction; a known key is skipped."""
    existing = db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.key == key))
    if existing is not None:
        return None
    subject, body = render(template, locale, **context)
    message = OutboxMessage(
        key=key, kind=kind, to_address=to, subject=subject, body_text=body, account_id=account_id
    )
    db.session.add(message)
    if has_request_context():
        g.mail_queued = True
    return message


def render(template: str, locale: str = "en", **context) -> tuple[str, str]:
    """Render a mail template's subject and body in a language."""
    with force_locale(locale):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body = render_template(f"mail/{template}.txt", **context)
    return subject, body


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class PermanentFailure(Exception):
    """The server refused the message for good (5xx)."""


class TemporaryFailure(Exception):
    """The server could not take the message now (4xx, unreachable)."""


def due_messages(now: dt.datetime | None = None, limit: int = 100) -> list[OutboxMessage]:
    """Return pending messages whose next attempt is due, oldest first."""
    now = now or utcnow()
    query = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.state == DeliveryState.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def deliver_pending(
    now: dt.datetime | None = None, limit: int = 100, progress=None
) -> DeliveryReport:
    """Deliver due messages one by one, committing after each so nothing is sent twice."""
    report = DeliveryReport()
    messages = due_messages(now, limit)
    for message in messages:
        _attempt(message, report, now or utcnow())
        db.session.commit()
        if progress:
            progress(message)
    return report


def _attempt(message: OutboxMessage, report: DeliveryReport, now: dt.datetime) -> None:
    config = current_app.config
    message.attempts += 1
    try:
        if config["SMTP_HOST"]:
            _send_smtp(message, config)
        else:
            _write_file(message, config)
    except PermanentFailure as error:
        message.state = DeliveryState.FAILED
        message.last_error = str(error)[:500]
        report.failed += 1
        report.errors.append(f"#{message.id}: {error}")
        _mark_address_invalid(message)
        return
    except TemporaryFailure as error:
        message.last_error = str(error)[:500]
        if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            message.state = DeliveryState.FAILED
            report.failed += 1
        else:
            # Back off: 1, 2, 4, 8 ... minutes, at most six hours.
            delay = min(2 ** (message.attempts - 1), 360)
            message.next_attempt_at = now + dt.timedelta(minutes=delay)
            report.retried += 1
        report.errors.append(f"#{message.id}: {error}")
        return
    message.state = DeliveryState.SENT
    message.sent_at = utcnow()
    message.last_error = None
    report.sent += 1


def _mark_address_invalid(message: OutboxMessage) -> None:
    from jgrad.accounts.models import Account, EmailStatus

    if message.account_id is None:
        return
    account = db.session.get(Account, message.account_id)
    if account is not None and account.email == message.to_address:
        account.email_status = EmailStatus.INVALID


def build_email(message: OutboxMessage, sender: str, cte: str | None = None) -> EmailMessage:
    """Turn an outbox row into a MIME message (``cte="8bit"`` keeps links readable in files)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain="jgrad.local")
    email.set_content(message.body_text, cte=cte)
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


def _write_file(message: OutboxMessage, config) -> None:
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(exist_ok=True)
    stamp = message.created_at.strftime("%Y%m%dT%H%M%S")
    path = folder / f"{stamp}-{message.id:06d}-{message.kind}.eml"
    path.write_bytes(bytes(build_email(message, config["MAIL_SENDER"], cte="8bit")))
    log.warning(
        "No SMTP server configured: mail #%s (%s) written to %s", message.id, message.kind, path
    )
