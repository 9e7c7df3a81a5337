"""The registrant's choices about their data: sharing, contact, and asking for deletion."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from blinker import Namespace

from jgrad.accounts.models import Account
from jgrad.actors import Actor
from jgrad.audit import services as audit
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.registrants.history import ConsentChange, DeletionRequest, DeletionRequestState
from jgrad.registrants.models import Registrant
from jgrad.registrants.services import CONSENT_SETTINGS

# Sent with the Registrant who has just withdrawn ``setting`` (in the same transaction);
# other packages listen from their init_app.
consent_withdrawn = Namespace().signal("consent-withdrawn")


def set_consent(registrant: Registrant, setting: str, value: bool, actor: Actor) -> bool:
    """Change a sharing or contact setting; it takes effect with this transaction."""
    if setting not in CONSENT_SETTINGS:
        raise ValueError(setting)
    old = getattr(registrant, setting)
    if old == value:
        return False
    setattr(registrant, setting, value)
    registrant.stamp_changed(actor)
    db.session.add(
        ConsentChange(
            registrant_id=registrant.id,
            setting=setting,
            old_value=old,
            new_value=value,
            actor_source=actor.source,
            actor_account_id=actor.account_id,
        )
    )
    if not value:
        # Listeners stop at once what the withdrawn consent covered (rule 4: staff mail).
        consent_withdrawn.send(registrant, setting=setting)
    audit.record(
        f"consent.{setting}",
        account=db.session.get(Account, actor.account_id) if actor.account_id else None,
        object_type="registrant",
        object_id=registrant.id,
        subject_registrant_id=registrant.id,
        details={"from": old, "to": value},
    )
    return True


def request_deletion(
    registrant: Registrant,
    actor: Actor,
    *,
    channel: str,
    verified_by: str,
    reason: str | None = None,
    grace_days: int = 30,
    locale: str = "en",
    now: dt.datetime | None = None,
) -> DeletionRequest:
    """Record a verified deletion request, suspend the account and set the deadline."""
    now = now or utcnow()
    pending = db.session.scalar(sa.select(DeletionRequest).where(
        DeletionRequest.registrant_id == registrant.id,
        DeletionRequest.state == DeletionRequestState.PENDING).limit(1))
    if pending is not None:
        return pending
    request = DeletionRequest(
        registrant_id=registrant.id,
        channel=channel,
        verified_by=verified_by,
        reason=reason or None,
        requested_at=now,
        due_at=now + dt.timedelta(days=grace_days),
    )
    db.session.add(request)
    account = registrant.account
    by = db.session.get(Account, actor.account_id) if actor.account_id else None
    account.suspend(reason="deletion_requested", by=by)
    audit.record(
        "deletion.requested",
        account=by,
        object_type="registrant",
        object_id=registrant.id,
        subject_registrant_id=registrant.id,
        details={"channel": channel, "due": request.due_at.date().isoformat()},
    )
    db.session.flush()
    if account.email:
        mail.queue(
            key=f"deletion-requested:{request.id}",
            kind="deletion_requested",
            to=account.email,
            template="deletion_requested",
            locale=locale,
            account_id=account.id,
            doctor_id=registrant.doctor_id,
            due=request.due_at.date().isoformat(),
            contact_url=mail.external_url("contact.contact"),
        )
    return request
