"""The outbox: every e-mail the system sends, queued with the change that caused it."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jgrad.db import utcnow
from jgrad.enums import StrEnum, enum_column
from jgrad.extensions import db


# Stands in the stored body for the secret of a single-use link; the secret itself is held
# in ``link_secret`` only until delivery (the token table keeps only its hash).
SECRET_SLOT = "JGRAD-LINK-SECRET"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by one sender (``claimed_by``); no other may send it
    SENT = "sent"
    FAILED = "failed"
    # Never to be sent: e.g. a university's message to someone who stopped sharing with it.
    CANCELLED = "cancelled"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same notice is never queued twice: e.g. "signup:<token id>".
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(sa.String(254))
    # Set for messages sent to alumni: per-recipient delivery state of one message.
    contact_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contact_messages.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body_text: Mapped[str] = mapped_column(sa.Text)
    # The raw secret of the link in the body, put in at delivery and then erased.
    link_secret: Mapped[str | None] = mapped_column(sa.String(128))
    state: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState, 16), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    # The sender (host:pid:start/claim) sending it now, and since when (state "sending").
    claimed_by: Mapped[str | None] = mapped_column(sa.String(300))
    claimed_at: Mapped[dt.datetime | None]

    __table_args__ = (sa.Index("ix_outbox_messages_due", "state", "next_attempt_at"),)

    def text(self) -> str:
        """Return the body as it is sent, with the link's secret put in."""
        if self.link_secret is None:
            return self.body_text
        return self.body_text.replace(SECRET_SLOT, self.link_secret)
