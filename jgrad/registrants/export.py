"""Everything the system holds about a registrant, as JSON or as CSV files in a zip."""
from __future__ import annotations

import io
import zipfile

import sqlalchemy as sa

from jgrad import exports
from jgrad.audit.models import AuditEvent
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.registrants.history import ConsentChange, DeletionRequest, RecordChange
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant
from jgrad.registrants.services import CAREER_FIELDS, ENROLMENT_FIELDS, PROFILE_FIELDS, plain

PROVENANCE_FIELDS = (
    "supplied_by", "supplied_by_university_id", "created_at",
    "changed_by", "changed_by_university_id", "changed_at",
)


def _row(record, fields) -> dict:
    return {name: plain(getattr(record, name)) for name in fields}


def export_data(registrant: Registrant) -> dict:
    """Collect the registrant's whole record with provenance and history."""
    account = registrant.account
    enrolments = db.session.scalars(
        sa.select(Enrolment).where(Enrolment.registrant_id == registrant.id).order_by(Enrolment.id)
    )
    spells = db.session.scalars(
        sa.select(CareerSpell)
        .where(CareerSpell.registrant_id == registrant.id)
        .order_by(CareerSpell.id)
    )
    changes = db.session.scalars(
        sa.select(RecordChange)
        .where(RecordChange.registrant_id == registrant.id)
        .order_by(RecordChange.id)
    )
    consents = db.session.scalars(
        sa.select(ConsentChange)
        .where(ConsentChange.registrant_id == registrant.id)
        .order_by(ConsentChange.id)
    )
    deletions = db.session.scalars(
        sa.select(DeletionRequest).where(DeletionRequest.registrant_id == registrant.id)
    )
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.subject_registrant_id == registrant.id)
        .order_by(AuditEvent.id)
    )
    provenance = PROVENANCE_FIELDS
    return {
        "exported_at": utcnow().isoformat(),
        "account": {
            "doctor_id": registrant.doctor_id,
            "email": account.email,
            "email_status": plain(account.email_status),
            "state": plain(account.state),
            "created_at": plain(account.created_at),
            "last_login_at": plain(account.last_login_at),
        },
        "profile": _row(
            registrant, PROFILE_FIELDS + ("share_with_university", "accept_contact") + provenance
        ),
        "enrolments": [
            {"id": e.id, **_row(e, ENROLMENT_FIELDS + provenance)} for e in enrolments
        ],
        "career_spells": [{"id": c.id, **_row(c, CAREER_FIELDS + provenance)} for c in spells],
        "record_changes": [
            {
                "at": plain(c.at), "record_type": c.record_type, "record_id": c.record_id,
                "action": c.action, "by": str(c.actor_source),
                "by_university_id": c.actor_university_id, "changes": c.changes,
            }
            for c in changes
        ],
        "consent_changes": [
            {"at": plain(c.at), "setting": c.setting, "from": c.old_value, "to": c.new_value,
             "by": str(c.actor_source)}
            for c in consents
        ],
        "deletion_requests": [
            {"requested_at": plain(d.requested_at), "due_at": plain(d.due_at),
             "state": str(d.state), "channel": d.channel}
            for d in deletions
        ],
        "access_events": [
            {"at": plain(e.at), "action": e.action, "actor_role": e.actor_role,
             "actor_university_id": e.actor_university_id, "outcome": str(e.outcome)}
            for e in events
        ],
    }


def _csv(rows: list[dict]) -> str:
    if not rows:
        return exports.BOM
    header = list(rows[0])
    return exports.csv_text(header, ([row[name] for name in header] for row in rows))


def export_zip(data: dict) -> bytes:
    """Pack an export as one UTF-8 (with BOM, for Excel) CSV file per part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        parts = {"account": [data["account"]], "profile": [data["profile"]]}
        for name in ("enrolments", "career_spells", "record_changes", "consent_changes",
                     "deletion_requests", "access_events"):
            parts[name] = data[name]
        for name, rows in parts.items():
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()
