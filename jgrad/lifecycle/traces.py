"""A deleted person's traces outside their own rows: free text in the audit trail, staff
messages, mail to others, mail files and import previews.

Database traces are scrubbed in the deletion's transaction; files are only named here and
removed once that transaction has committed (``remove_after_commit``), so a deletion that
fails leaves everything, files included, for the retry.
"""
from __future__ import annotations

import csv
import email
import email.policy
import io
import logging
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from jgrad.lifecycle.person import Needles, Person, scrub_json, scrub_text
from jgrad.mail.delivery import mail_folder
from jgrad.mail.models import OutboxMessage
from jgrad.imports import previews
from jgrad.portal.models import ContactMessage

log = logging.getLogger("jgrad.lifecycle")
_FILES_KEY = "jgrad.remove_after_commit"
BATCH = 500


# --- the audit trail ---------------------------------------------------------------------

def scrub_audit_details(needles: Needles) -> int:
    """Replace every details value naming the people; the events keep their shape."""
    pattern = needles.matcher()
    events = AuditEvent.__table__
    scrubbed = 0
    last_id = 0
    while True:  # keyset pages: a long trail is never read into memory at once
        rows = db.session.execute(
            sa.select(events.c.id, events.c.details)
            .where(events.c.id > last_id, events.c.details.is_not(None),
                   needles.sql_candidates(events.c.details, json_text=True))
            .order_by(events.c.id).limit(BATCH)).all()
        if not rows:
            return scrubbed
        last_id = rows[-1][0]
        changed = [dict(b_id=event_id, b_details=clean) for event_id, details in rows
                   if (clean := scrub_json(details, pattern)) != details]
        if changed:
            db.session.execute(
                events.update().where(events.c.id == sa.bindparam("b_id"))
                .values(details=sa.bindparam("b_details")), changed)
        scrubbed += len(changed)


def unlink_audit_events(people: list[Person]) -> None:
    """Drop every id and address that leads from an event back to the people."""
    rids = [p.registrant_id for p in people]
    aids = [p.account_id for p in people]
    events = AuditEvent.__table__
    db.session.execute(
        events.update()
        .where(sa.or_(
            events.c.subject_registrant_id.in_(rids),
            events.c.actor_account_id.in_(aids),
            sa.and_(events.c.object_type == "account",
                    events.c.object_id.in_([str(a) for a in aids])),
            sa.and_(events.c.object_type == "registrant",
                    events.c.object_id.in_([str(r) for r in rids])),
        ))
        .values(subject_registrant_id=None, actor_account_id=None, object_id=None, ip=None)
    )


# --- staff messages and the outbox ------------------------------------------------------

def messages_received(people: list[Person]) -> list[int]:
    """The staff messages sent to these people (before their outbox rows go)."""
    rids = [p.registrant_id for p in people]
    aids = [p.account_id for p in people]
    by_outbox = sa.select(OutboxMessage.contact_message_id).where(
        OutboxMessage.account_id.in_(aids), OutboxMessage.contact_message_id.is_not(None))
    by_audit = sa.select(AuditEvent.object_id).where(
        AuditEvent.object_type == "contact_message", AuditEvent.subject_registrant_id.in_(rids))
    ids = set(db.session.scalars(by_outbox))
    ids |= {int(value) for value in db.session.scalars(by_audit) if value and value.isdigit()}
    return sorted(ids)


def scrub_messages(needles: Needles, received: list[int]) -> int:
    """Scrub the people from staff messages and from the mail queued for those messages.

    A message sent to them loses each of their names; any other message loses their full
    names, Doctor IDs and addresses (a surname alone there may be someone else's).
    """
    everywhere = needles.matcher(names=False, numbers=False)
    theirs = needles.matcher()
    changed = 0
    for model, fields in ((ContactMessage, ("subject", "body")),
                          (OutboxMessage, ("subject", "body_text"))):
        columns = [getattr(model, name) for name in fields]
        linked = (model.id if model is ContactMessage else model.contact_message_id).in_(received)
        candidates = sa.or_(*(needles.sql_candidates(c) for c in columns))
        rows = db.session.execute(sa.select(model.id, linked, *columns).where(candidates)).all()
        updates = []
        for row_id, is_theirs, *texts in rows:
            pattern = theirs if is_theirs else everywhere
            clean = [scrub_text(text, pattern) for text in texts]
            if clean != list(texts):
                updates.append(dict(b_id=row_id, **{f"b_{n}": v for n, v in zip(fields, clean)}))
        if updates:
            table = model.__table__
            db.session.execute(
                table.update().where(table.c.id == sa.bindparam("b_id"))
                .values({name: sa.bindparam(f"b_{name}") for name in fields}), updates)
        changed += len(updates)
    return changed


# --- files -------------------------------------------------------------------------------

def mail_files(needles: Needles, own_ids: list[int], received_ids=()) -> list[Path]:
    """The .eml files of the people's own messages, or naming them.

    Files of messages sent to them together with others (``received_ids``) go when they
    name them in any way; any other file when it gives a Doctor ID, address or full name.
    """
    folder = mail_folder()
    if not folder.is_dir():
        return []
    anywhere = needles.matcher(names=False, numbers=False)
    theirs = needles.matcher()
    own = {f"-{message_id:06d}-" for message_id in own_ids}
    shared = {f"-{message_id:06d}-" for message_id in received_ids}
    found = []
    for path in sorted(folder.glob("*.eml")):
        marker = path.name[path.name.find("-"):path.name.find("-", path.name.find("-") + 1) + 1]
        if marker in own:
            found.append(path)
            continue
        pattern = theirs if marker in shared else anywhere
        if pattern is not None and pattern.search(_read_text(path)):
            found.append(path)
    return found


def preview_files(people: list[Person]) -> list[Path]:
    """The import previews (awaiting confirmation) that hold a row about one of the people."""
    folder = previews.folder()
    if not folder.is_dir():
        return []
    return [path for path in folder.iterdir()
            if path.is_file() and any(row_is_theirs(row, people) for row in _rows(path))]


def row_is_theirs(cells: list[str], people: list[Person]) -> bool:
    """A row names the person by address or Doctor ID, or by student number and a name."""
    values = {c.strip().lower() for c in cells if c and c.strip()}
    for person in people:
        if values & {s.lower() for s in person.strong}:
            return True
        if values & {n.lower() for n in person.student_numbers} and \
                values & {n.lower() for n in person.names}:
            return True
    return False


def _read_text(path: Path) -> str:
    """A mail file as text: decoded headers (RFC 2047) and bodies, then the raw bytes."""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        decoded = [f"{name}: {value}" for name, value in message.items()]
        decoded += [part.get_content() for part in message.walk()
                    if part.get_content_maintype() == "text"]
    except Exception:  # a damaged file is still searched as raw text
        decoded = []
    return "\n".join(decoded) + "\n" + data.decode("utf-8", "replace")


def _rows(path: Path):
    """Yield a preview file's rows as strings, streaming (CSV or XLSX)."""
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True, data_only=True)
            try:
                for sheet in workbook.worksheets:
                    for row in sheet.iter_rows(values_only=True):
                        yield ["" if v is None else str(v) for v in row]
            finally:
                workbook.close()
        else:
            text = path.read_bytes().decode("utf-8-sig", "replace")
            yield from csv.reader(io.StringIO(text, newline=""))
    except Exception:  # an unreadable preview is reported, never matched by guesswork
        log.warning("could not read import preview %s", path.name)


def remove_after_commit(paths) -> None:
    """Remove these files once the current transaction commits (never if it rolls back)."""
    db.session.info.setdefault(_FILES_KEY, set()).update(str(p) for p in paths)


@event.listens_for(Session, "after_commit")
def _remove_files(session) -> None:
    for name in sorted(session.info.pop(_FILES_KEY, ())):
        try:
            Path(name).unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove %s after a deletion", name)


@event.listens_for(Session, "after_soft_rollback")
def _keep_files(session, previous_transaction) -> None:
    session.info.pop(_FILES_KEY, None)
