"""Rule 4 at once: when a registrant withdraws consent, staff mail not yet sent is cancelled."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.extensions import db
from jgrad.mail.models import DeliveryState, OutboxMessage
from jgrad.portal.models import ContactMessage


def cancel_contact_mail(registrant, setting: str) -> int:
    """Cancel messages to alumni not yet sent to this registrant.

    Stopping sharing cancels what universities wrote; refusing contact cancels all of it.
    """
    senders = sa.select(ContactMessage.id)
    if setting == "share_with_university":
        senders = senders.where(ContactMessage.university_id.is_not(None))
    return db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.account_id == registrant.account_id,
               OutboxMessage.state == DeliveryState.PENDING,
               OutboxMessage.contact_message_id.in_(senders))
        .values(state=DeliveryState.CANCELLED)
        .execution_options(synchronize_session=False)).rowcount
