"""Queue mail in the outbox; ``jgrad.mail.delivery`` sends it."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, render_template, url_for
from flask_babel import force_locale

from jgrad.bulk import write_rows
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.mail.delivery import deliver_pending
from jgrad.mail.models import SECRET_SLOT, DeliveryState, OutboxMessage

__all__ = ["SECRET_SLOT", "Recipient", "deliver_pending", "external_url", "init_mail", "queue",
           "queue_many", "render"]

log = logging.getLogger("jgrad.mail")
QUEUED = "jgrad.mail_queued"  # set on the session by ``queue``, read after the request


def init_mail(app: Flask) -> None:
    @app.after_request
    def _deliver_now(response):
        # Development convenience: with no SMTP server, write queued mail to files at once.
        # The flag sits on the request's database session, so this module never reads ``g``.
        if (db.session.info.pop(QUEUED, False)
                and current_app.config["MAIL_DELIVER_IMMEDIATELY"]):
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
    link_secret: str | None = None,
    **context,
) -> OutboxMessage | None:
    """Add a message to the outbox in the current transaction; a known key is skipped.

    A message carrying a single-use link is rendered with ``SECRET_SLOT`` in the link
    (e.g. ``external_url(endpoint, token=SECRET_SLOT)``) and the secret passed as
    ``link_secret``: the stored body never holds it, and it is erased once delivered.
    """
    existing = db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.key == key))
    if existing is not None:
        return None
    subject, body = render(template, locale, **context)
    if (link_secret is not None) != (SECRET_SLOT in body):
        raise ValueError(f"mail {key}: a link secret needs exactly a link holding SECRET_SLOT")
    message = OutboxMessage(
        key=key, kind=kind, to_address=to, subject=subject, body_text=body,
        account_id=account_id, link_secret=link_secret,
    )
    db.session.add(message)
    db.session.info[QUEUED] = True
    return message


@dataclass(frozen=True)
class Recipient:
    """One addressee of a bulk mailing.

    ``fill`` holds the values that differ per person (e.g. a Doctor ID): the template is
    rendered with a placeholder for each and the value is put in afterwards. ``variant``
    holds context that changes the wording for a group (e.g. ``(("pending", True),)``):
    the template is rendered once per language and variant.
    """

    key: str
    to: str
    locale: str = "en"
    account_id: int | None = None
    link_secret: str | None = None
    fill: Mapping[str, str] = field(default_factory=dict)
    variant: tuple[tuple[str, object], ...] = ()


def queue_many(recipients: Iterable[Recipient], *, kind: str, template: str,
               now: dt.datetime | None = None, contact_message_id: int | None = None,
               **context) -> int:
    """Queue one outbox row per recipient in the current transaction, in one bulk write.

    The template is rendered once per language (and variant); a key already in the outbox,
    or given twice, is skipped. A link carrying a secret is rendered with ``SECRET_SLOT``
    (as for ``queue``) and each recipient's secret given as ``link_secret``. Returns the
    number of recipients given (known keys included).
    """
    now = now or utcnow()
    rendered: dict[tuple, tuple[str, str]] = {}
    rows = []
    for person in recipients:
        locale = "ja" if person.locale == "ja" else "en"
        version = (locale, person.variant, tuple(sorted(person.fill)))
        if version not in rendered:
            slots = {name: _slot(name) for name in person.fill}
            # What differs per group or per person stands in for the shared context.
            rendered[version] = render(template, locale,
                                       **(context | dict(person.variant) | slots))
        subject, body = rendered[version]
        for name, value in person.fill.items():
            subject, body = subject.replace(_slot(name), value), body.replace(_slot(name), value)
        if (person.link_secret is not None) != (SECRET_SLOT in body):
            raise ValueError(f"mail {person.key}: a link secret needs exactly a link holding "
                             "SECRET_SLOT")
        rows.append(dict(key=person.key, kind=kind, account_id=person.account_id,
                         to_address=person.to, subject=subject, body_text=body,
                         link_secret=person.link_secret, contact_message_id=contact_message_id,
                         state=str(DeliveryState.PENDING), attempts=0, next_attempt_at=now,
                         created_at=now))
    write_rows(db.session, OutboxMessage.__table__, rows, skip_taken="key")
    return len(rows)


def _slot(name: str) -> str:
    return f"\x00{name.upper()}\x00"


def render(template: str, locale: str = "en", **context) -> tuple[str, str]:
    """Render a mail template's subject and body in a language."""
    with force_locale(locale):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body = render_template(f"mail/{template}.txt", **context)
    return subject, body
