"""Queue mail in the outbox; ``jgrad.mail.delivery`` sends it."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, render_template, url_for
from flask_babel import force_locale

from jgrad.extensions import db
from jgrad.mail.delivery import deliver_pending
from jgrad.mail.models import SECRET_SLOT, OutboxMessage

__all__ = ["SECRET_SLOT", "deliver_pending", "external_url", "init_mail", "queue", "render"]

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
    if has_request_context():
        g.mail_queued = True
    return message


def render(template: str, locale: str = "en", **context) -> tuple[str, str]:
    """Render a mail template's subject and body in a language."""
    with force_locale(locale):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body = render_template(f"mail/{template}.txt", **context)
    return subject, body
