"""Delete registrants for good, keep only a keyed hash in the ledger, and prove nothing is left."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app

from jgrad.accounts.models import Account, AccountToken
from jgrad.audit.models import AuditEvent
from jgrad.contact.models import Inquiry
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.lifecycle.models import DeletionLedgerEntry, DormancyEpisode
from jgrad.mail.models import OutboxMessage
from jgrad.portal.models import PossibleDuplicate
from jgrad.registrants.history import ConsentChange, DeletionRequest, RecordChange
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant


def ledger_hash(doctor_id: str) -> str:
    """Return the keyed hash under which a deleted Doctor ID is remembered."""
    key = current_app.config.get("LEDGER_KEY") or current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode("utf-8")
    return hmac.new(key, doctor_id.upper().encode("ascii"), hashlib.sha256).hexdigest()


def _people(registrant_ids: list[int]) -> list[tuple[int, int, str, str | None]]:
    rows = db.session.execute(
        sa.select(Registrant.id, Account.id, Registrant.doctor_id, Account.email)
        .join(Account, Account.id == Registrant.account_id)
        .where(Registrant.id.in_(registrant_ids))
    )
    return [tuple(row) for row in rows]


def delete_registrants(registrant_ids: list[int], reason: str,
                       now: dt.datetime | None = None) -> int:
    """Remove every piece of these registrants' personal data in the current transaction.

    Set-based: one statement per table for the whole batch. Audit events stay (they are
    the institute's record of what happened) but lose every link to the person.
    """
    people = _people(list(registrant_ids))
    if not people:
        return 0
    now = now or utcnow()
    rids = [p[0] for p in people]
    aids = [p[1] for p in people]
    doctor_ids = [p[2] for p in people]
    emails = [p[3] for p in people if p[3]]
    existing = set(db.session.scalars(sa.select(DeletionLedgerEntry.doctor_id_hash).where(
        DeletionLedgerEntry.doctor_id_hash.in_([ledger_hash(d) for d in doctor_ids]))))
    entries = [dict(doctor_id_hash=h, deleted_on=now.date(), reason=reason)
               for h in (ledger_hash(d) for d in doctor_ids) if h not in existing]
    if entries:
        db.session.execute(sa.insert(DeletionLedgerEntry.__table__), entries)
    events = AuditEvent.__table__
    db.session.execute(
        events.update()
        .where(sa.or_(
            events.c.subject_registrant_id.in_(rids),
            events.c.actor_account_id.in_(aids),
            sa.and_(events.c.object_type == "account", events.c.object_id.in_([str(a) for a in aids])),
            sa.and_(events.c.object_type == "registrant",
                    events.c.object_id.in_([str(r) for r in rids])),
        ))
        .values(subject_registrant_id=None, actor_account_id=None, object_id=None, ip=None)
    )
    db.session.execute(sa.delete(OutboxMessage).where(sa.or_(
        OutboxMessage.account_id.in_(aids), OutboxMessage.to_address.in_(emails))))
    db.session.execute(sa.delete(AccountToken).where(sa.or_(
        AccountToken.account_id.in_(aids), AccountToken.email.in_(emails))))
    db.session.execute(sa.delete(Inquiry).where(sa.or_(
        Inquiry.doctor_id.in_(doctor_ids), Inquiry.email.in_(emails))))
    # Children go with the registrant (ON DELETE CASCADE); deleting them first keeps SQLite
    # and PostgreSQL alike even where a connection runs without foreign-key enforcement.
    for model in (Enrolment, CareerSpell, RecordChange, ConsentChange, DeletionRequest):
        db.session.execute(sa.delete(model).where(model.registrant_id.in_(rids)))
    db.session.execute(sa.delete(DormancyEpisode).where(DormancyEpisode.account_id.in_(aids)))
    db.session.execute(sa.delete(PossibleDuplicate).where(
        PossibleDuplicate.candidate_registrant_id.in_(rids)))
    db.session.execute(sa.delete(Registrant).where(Registrant.id.in_(rids)))
    db.session.execute(sa.delete(Account).where(Account.id.in_(aids)))
    db.session.expire_all()
    return len(people)


def leftovers(registrant_id: int, account_id: int, doctor_id: str,
              email: str | None) -> dict[str, int]:
    """Count, per table, the rows that still refer to a person; all zero after deletion."""
    emails = [email] if email else []
    events = AuditEvent
    checks = {
        "accounts": sa.select(sa.func.count()).select_from(Account).where(sa.or_(
            Account.id == account_id, Account.login == doctor_id, Account.email.in_(emails))),
        "registrants": sa.select(sa.func.count()).select_from(Registrant).where(sa.or_(
            Registrant.id == registrant_id, Registrant.doctor_id == doctor_id)),
        "account_tokens": sa.select(sa.func.count()).select_from(AccountToken).where(sa.or_(
            AccountToken.account_id == account_id, AccountToken.email.in_(emails))),
        "outbox_messages": sa.select(sa.func.count()).select_from(OutboxMessage).where(sa.or_(
            OutboxMessage.account_id == account_id, OutboxMessage.to_address.in_(emails))),
        "inquiries": sa.select(sa.func.count()).select_from(Inquiry).where(sa.or_(
            Inquiry.doctor_id == doctor_id, Inquiry.email.in_(emails))),
        "audit_events": sa.select(sa.func.count()).select_from(events).where(sa.or_(
            events.subject_registrant_id == registrant_id,
            events.actor_account_id == account_id,
            sa.and_(events.object_type == "account", events.object_id == str(account_id)),
            sa.and_(events.object_type == "registrant",
                    events.object_id == str(registrant_id)))),
        "dormancy_episodes": sa.select(sa.func.count()).select_from(DormancyEpisode).where(
            DormancyEpisode.account_id == account_id),
        "possible_duplicates": sa.select(sa.func.count()).select_from(PossibleDuplicate).where(
            PossibleDuplicate.candidate_registrant_id == registrant_id),
    }
    for model in (Enrolment, CareerSpell, RecordChange, ConsentChange, DeletionRequest):
        checks[model.__tablename__] = sa.select(sa.func.count()).select_from(model).where(
            model.registrant_id == registrant_id)
    return {name: db.session.scalar(query) for name, query in checks.items()}


def replay_deletions(dry_run: bool = False, batch: int = 1000) -> int:
    """Delete again everyone in the ledger (after restoring a backup); return how many."""
    ledger = set(db.session.scalars(sa.select(DeletionLedgerEntry.doctor_id_hash)))
    if not ledger:
        return 0
    matches = [rid for rid, doctor_id in db.session.execute(
        sa.select(Registrant.id, Registrant.doctor_id)) if ledger_hash(doctor_id) in ledger]
    if dry_run:
        return len(matches)
    for start in range(0, len(matches), batch):
        delete_registrants(matches[start:start + batch], "replay")
        db.session.commit()
    return len(matches)
