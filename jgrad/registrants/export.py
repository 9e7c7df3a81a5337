"""Everything the system holds about a registrant, as JSON or as CSV files in a zip."""
from __future__ import annotations

import io
import zipfile

import sqlalchemy as sa

from jgrad import exports
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.registrants.history import ConsentChange, DeletionRequest, RecordChange
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant
from jgrad.registry import personal_tables
from jgrad.registrants.services import CAREER_FIELDS, ENROLMENT_FIELDS, PROFILE_FIELDS, plain

PROVENANCE_FIELDS = (
    "supplied_by", "supplied_by_university_id", "created_at",
    "changed_by", "changed_by_university_id", "changed_at",
)


def _row(record, fields) -> dict:
    return {name: plain(getattr(record, name)) for name in fields}


def enrolment_row(e: Enrolment) -> dict:
    return {"id": e.id, **_row(e, ENROLMENT_FIELDS + PROVENANCE_FIELDS)}


def career_row(c: CareerSpell) -> dict:
    return {"id": c.id, **_row(c, CAREER_FIELDS + PROVENANCE_FIELDS)}


def change_row(c: RecordChange) -> dict:
    return {"at": plain(c.at), "record_type": c.record_type, "record_id": c.record_id,
            "action": c.action, "by": str(c.actor_source),
            "by_university_id": c.actor_university_id, "via": c.via, "changes": c.changes}


def consent_row(c: ConsentChange) -> dict:
    return {"at": plain(c.at), "setting": c.setting, "from": c.old_value,
            "to": c.new_value, "by": str(c.actor_source)}


def deletion_request_row(d: DeletionRequest) -> dict:
    return {"requested_at": plain(d.requested_at), "due_at": plain(d.due_at),
            "state": str(d.state), "channel": d.channel}


def export_data(registrant: Registrant) -> dict:
    """Collect the registrant's whole record with provenance, history and who accessed it.

    Beside the account and profile, each personal-data table registered with a download
    part (``jgrad.registry``) contributes its rows, so a new table joins by registering.
    """
    account = registrant.account
    data = {
        "exported_at": utcnow().isoformat(),
        "account": {
            "doctor_id": registrant.doctor_id,
            "email": account.email,
            "email_status": plain(account.email_status),
            "state": plain(account.state),
            "created_at": plain(account.created_at),
            "last_login_at": plain(account.last_login_at),
        },
        "profile": _row(registrant, PROFILE_FIELDS + ("share_with_university",
                                                      "accept_contact") + PROVENANCE_FIELDS),
    }
    for table in personal_tables():
        if table.download is None:
            continue
        rows = db.session.scalars(
            sa.select(table.model).where(table.about([registrant.id], [account.id]))
            .order_by(getattr(table.model, table.order_by)))
        data[table.download] = [table.row(row) for row in rows]
    return data


def _plain_header(name: str) -> str:
    return name


def _plain_value(name: str, value):
    return value


def _csv(rows: list[dict], header_words, value_words) -> str:
    if not rows:
        return exports.BOM
    names = list(rows[0])
    return exports.csv_text([header_words(name) for name in names],
                            ([value_words(name, row[name]) for name in names] for row in rows))


def export_zip(data: dict, *, header_words=_plain_header, value_words=_plain_value) -> bytes:
    """Pack an export as one UTF-8 (with BOM, for Excel) CSV file per part.

    The CSV files are for reading: the caller passes how a column and a value read in the
    person's language (the JSON download keeps the codes, for machines).
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        parts = {"account": [data["account"]], "profile": [data["profile"]]}
        parts.update((name, rows) for name, rows in data.items() if isinstance(rows, list))
        for name, rows in parts.items():
            archive.writestr(f"{name}.csv", _csv(rows, header_words, value_words))
    return buffer.getvalue()
