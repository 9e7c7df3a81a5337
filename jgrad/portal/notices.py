"""Tell a registrant that someone else changed their record (rule 7), once a day."""
from __future__ import annotations

from jgrad.db import utcnow
from jgrad.mail import services as mail


def tell_corrected(registrant, by_university) -> None:
    """Queue the mail saying the record was changed, by ``by_university`` or the institute."""
    account = registrant.account
    address = registrant.contact_email or account.email
    if not address or str(account.email_status) == "invalid":
        return
    by = by_university.name(account.locale) if by_university else None
    mail.queue(
        key=f"corrected:{registrant.id}:{utcnow().date().isoformat()}",
        kind="corrected", to=address, template="corrected", locale=account.locale,
        account_id=account.id, university=by,
        history_url=mail.external_url("registrants.history"),
    )
