"""Delete registrants for good, keep only a keyed hash in the ledger, and prove nothing is left."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app

from jgrad.accounts.models import Account, AccountToken
from jgrad.contact.models import Inquiry
from jgrad.contact.services import mail_keys as inquiry_mail_keys
from jgrad.db import purge_deleted_from_text_indexes, utcnow
from jgrad.extensions import db
from jgrad.lifecycle import traces
from jgrad.lifecycle.leftovers import leftovers  # noqa: F401  (part of this API)
from jgrad.lifecycle.models import DeletionLedgerEntry
from jgrad.lifecycle.person import Needles, people
from jgrad.mail.models import OutboxMessage
from jgrad.registrants.models import Registrant
from jgrad.registry import personal_tables


def ledger_hash(doctor_id: str) -> str:
    """Return the keyed hash under which a deleted Doctor ID is remembered."""
    key = current_app.config.get("LEDGER_KEY") or current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode("utf-8")
    return hmac.new(key, doctor_id.upper().encode("ascii"), hashlib.sha256).hexdigest()


def delete_registrants(registrant_ids: list[int], reason: str,
                       now: dt.datetime | None = None) -> int:
    """Remove every piece of these registrants' personal data in the current transaction.

    Set-based: one statement per table for the whole batch. Audit events stay (they are
    the institute's record of what happened) but lose every link to the person and every
    details value naming them; staff messages lose their names. Their mail files and the
    import previews holding their row are removed only once the transaction commits, so a
    deletion that fails half-way leaves the person whole for the next run.
    """
    found = people(list(registrant_ids))
    if not found:
        return 0
    now = now or utcnow()
    rids = [p.registrant_id for p in found]
    aids = [p.account_id for p in found]
    doctor_ids = [p.doctor_id for p in found]
    emails = sorted({e for p in found for e in p.emails})
    needles = Needles.of(found)
    _remember(doctor_ids, reason, now)
    received = traces.messages_received(found)
    inquiry_ids = list(db.session.scalars(sa.select(Inquiry.id).where(sa.or_(
        Inquiry.doctor_id.in_(doctor_ids), sa.func.lower(Inquiry.email).in_(emails),
        Inquiry.id.in_(_inquiries_naming(needles))))))
    # Their mail, and the receipts and answers about inquiries that go with them.
    theirs = sa.or_(OutboxMessage.account_id.in_(aids),
                    sa.func.lower(OutboxMessage.to_address).in_(emails),
                    OutboxMessage.key.in_(inquiry_mail_keys(inquiry_ids)))
    outbox_ids = list(db.session.scalars(sa.select(OutboxMessage.id).where(theirs)))
    shared_ids = list(db.session.scalars(sa.select(OutboxMessage.id).where(
        OutboxMessage.contact_message_id.in_(received), ~theirs)))
    files = traces.mail_files(needles, outbox_ids, shared_ids) + traces.preview_files(found)
    traces.scrub_audit_details(needles)
    traces.unlink_audit_events(found)
    traces.scrub_messages(needles, received)
    db.session.execute(sa.delete(OutboxMessage).where(theirs))
    db.session.execute(sa.delete(AccountToken).where(sa.or_(
        AccountToken.account_id.in_(aids), sa.func.lower(AccountToken.email).in_(emails))))
    db.session.execute(sa.delete(Inquiry).where(Inquiry.id.in_(inquiry_ids)))
    # Every registered table of personal data, children before parents (they would go by
    # ON DELETE CASCADE too; deleting them first keeps SQLite and PostgreSQL alike even
    # where a connection runs without foreign-key enforcement).
    for table in personal_tables(deleted=True):
        db.session.execute(sa.delete(table.model).where(table.about(rids, aids)))
    db.session.execute(sa.delete(Registrant).where(Registrant.id.in_(rids)))
    db.session.execute(sa.delete(Account).where(Account.id.in_(aids)))
    purge_deleted_from_text_indexes(db.session)
    db.session.expire_all()
    traces.remove_after_commit(files)
    return len(found)


def _remember(doctor_ids: list[str], reason: str, now: dt.datetime) -> None:
    """Write the ledger entries (a keyed hash each) that a backup restore replays."""
    hashes = [ledger_hash(d) for d in doctor_ids]
    existing = set(db.session.scalars(sa.select(DeletionLedgerEntry.doctor_id_hash).where(
        DeletionLedgerEntry.doctor_id_hash.in_(hashes))))
    entries = [dict(doctor_id_hash=h, deleted_on=now.date(), reason=reason)
               for h in hashes if h not in existing]
    if entries:
        db.session.execute(sa.insert(DeletionLedgerEntry.__table__), entries)


def _inquiries_naming(needles: Needles) -> list[int]:
    """Inquiries whose text, or the answer to it, gives one of the Doctor IDs or addresses."""
    pattern = needles.matcher(names=False, numbers=False, full_names=False)
    rows = db.session.execute(sa.select(Inquiry.id, Inquiry.details, Inquiry.reply_text).where(
        sa.or_(needles.sql_candidates(Inquiry.details, names=False, numbers=False),
               needles.sql_candidates(Inquiry.reply_text, names=False, numbers=False))))
    return [inquiry_id for inquiry_id, details, answer in rows
            if pattern.search(details or "") or pattern.search(answer or "")]


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
