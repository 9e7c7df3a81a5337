"""Prove a deletion complete: count everything that still refers to or names the person."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountToken
from jgrad.audit.models import AuditEvent
from jgrad.contact.models import Inquiry
from jgrad.extensions import db
from jgrad.lifecycle import traces
from jgrad.lifecycle.person import Needles, Person, json_names_person
from jgrad.mail.models import OutboxMessage
from jgrad.portal.models import ContactMessage
from jgrad.registrants.models import Registrant
from jgrad.registry import personal_tables


def _count(model, condition) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(condition))


def _naming(model, columns, needles: Needles, pattern, json_text: bool = False) -> int:
    """Count rows whose text columns hold one of the identifiers (confirmed by regex)."""
    if pattern is None:
        return 0
    candidates = sa.or_(*(needles.sql_candidates(c, json_text=json_text) for c in columns))
    found = 0
    for row in db.session.execute(sa.select(*columns).where(candidates)):
        if json_text:
            found += any(json_names_person(value, pattern) for value in row)
        else:
            found += any(value and pattern.search(value) for value in row)
    return found


def leftovers(person: Person) -> dict[str, int]:
    """Count, per table and folder, what still refers to a person; all zero after deletion.

    Rows are found by the person's ids, Doctor ID and addresses; free text (audit details,
    staff messages, mail, inquiries) by the same identifiers, full names and student numbers.
    """
    needles = Needles.of([person])
    emails = list(person.emails)
    strong = needles.matcher(names=False, numbers=False)
    events = AuditEvent
    counts = {
        "accounts": _count(Account, sa.or_(
            Account.id == person.account_id, Account.login == person.doctor_id,
            sa.func.lower(Account.email).in_(emails))),
        "registrants": _count(Registrant, sa.or_(
            Registrant.id == person.registrant_id, Registrant.doctor_id == person.doctor_id)),
        "account_tokens": _count(AccountToken, sa.or_(
            AccountToken.account_id == person.account_id,
            sa.func.lower(AccountToken.email).in_(emails))),
        "outbox_messages": _count(OutboxMessage, sa.or_(
            OutboxMessage.account_id == person.account_id,
            sa.func.lower(OutboxMessage.to_address).in_(emails))),
        "outbox_texts": _naming(OutboxMessage, [OutboxMessage.subject, OutboxMessage.body_text],
                                needles, strong),
        "inquiries": _count(Inquiry, sa.or_(
            Inquiry.doctor_id == person.doctor_id, sa.func.lower(Inquiry.email).in_(emails)))
        + _naming(Inquiry, [Inquiry.details], needles, strong),
        "audit_events": _count(events, sa.or_(
            events.subject_registrant_id == person.registrant_id,
            events.actor_account_id == person.account_id,
            sa.and_(events.object_type == "account",
                    events.object_id == str(person.account_id)),
            sa.and_(events.object_type == "registrant",
                    events.object_id == str(person.registrant_id)))),
        "audit_details": _naming(events, [events.details], needles, needles.matcher(),
                                 json_text=True),
        "contact_messages": _naming(ContactMessage, [ContactMessage.subject,
                                                     ContactMessage.body],
                                    needles, needles.matcher(names=False, numbers=False)),
        "mail_files": len(traces.mail_files(needles, [])),
        "preview_files": len(traces.preview_files([person])),
    }
    for table in personal_tables(deleted=True):
        counts.setdefault(table.model.__tablename__, _count(
            table.model, table.about([person.registrant_id], [person.account_id])))
    return counts
