"""Rules 8 and 9: after a deletion no trace of the person is left, in the database or in files.

Each trace is planted through the path that leaves it in real use; the check is twofold:
``leftovers`` reports nothing, and an independent search of every table and every file under
the instance folder finds none of the person's identifiers.
"""
import datetime as dt
import io
import json
from pathlib import Path

import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.actors import Actor
from jgrad.audit import services as audit
from jgrad.audit.models import AuditEvent
from jgrad.contact.models import Inquiry
from jgrad.extensions import db
from jgrad.lifecycle.deletion import delete_registrants, leftovers
from jgrad.lifecycle.person import people
from jgrad.jobs.runner import run_job
from jgrad.mail import services as mail
from jgrad.mail.models import OutboxMessage
from jgrad.portal import messaging
from jgrad.imports.importfile import COLUMNS
from jgrad.portal.models import ContactMessage
from jgrad.portal.queries import AlumniFilter
from jgrad.registrants import consent
from jgrad.registrants import services as records
from jgrad.registrants.models import Enrolment

NAMES = dict(family_name="黒潮", given_name="瑠璃子", family_name_kana="クロシオ",
             given_name_kana="ルリコ", family_name_roman="Kuroshio", given_name_roman="Ruriko")
EMAIL = "ruriko.kuroshio@example.org"
STUDENT_NUMBER = "S7730412"


def preview_csv(row: dict) -> bytes:
    lines = [",".join(COLUMNS), ",".join(str(row.get(c, "")) for c in COLUMNS)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def identifiers(doctor_id: str) -> list[str]:
    return [doctor_id, EMAIL, STUDENT_NUMBER, *NAMES.values()]


def found_in_tables(needles: list[str]) -> list[str]:
    """Search every column of every row of every table, as text and as stored JSON."""
    hits = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            for column, value in row.items():
                if value is None:
                    continue
                texts = {str(value).lower()}
                if isinstance(value, (dict, list)):
                    texts |= {json.dumps(value).lower(),
                              json.dumps(value, ensure_ascii=False).lower()}
                hits += [f"{table.name}.{column}: {n}" for n in needles
                         if any(n.lower() in t for t in texts)]
    return hits


def found_in_name_indexes(needles: list[str]) -> list[str]:
    """SQLite's FTS5 name tables (migrations 0013, 0016), which no model describes: the rows
    of either that match a name."""
    if db.engine.dialect.name != "sqlite":
        return []  # PostgreSQL's name indexes are indexes of the tables searched above
    hits = []
    for table in ("registrant_names", "enrolment_names"):
        for needle in needles:
            matched = db.session.scalar(sa.text(
                f"SELECT count(*) FROM {table} WHERE {table} MATCH :phrase"),
                {"phrase": '"' + needle.replace('"', '""') + '"'}) if len(needle) >= 3 \
                else db.session.scalar(sa.text(  # LIKE finds nothing shorter there
                    f"SELECT count(*) FROM {table} WHERE instr(lower(names), lower(:part))"),
                    {"part": needle})
            hits += [f"{table}: {needle}"] * bool(matched)
        # What a MATCH no longer finds may still lie in the index's own blocks, beside a
        # deletion marker: look for each three-character piece of a name among them.
        blocks = db.session.scalars(sa.text(f"SELECT block FROM {table}_data")).all()
        for needle in needles:
            pieces = {needle.lower()[n:n + 3].encode() for n in range(len(needle) - 2)}
            hits += [f"{table}_data: {needle}" for piece in pieces
                     if any(piece in block for block in blocks if block)][:1]
    return hits


def found_in_files(folder: Path, needles: list[str]) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace").lower()
            hits += [f"{path.relative_to(folder)}: {n}" for n in needles if n.lower() in text]
    return hits


def test_rule8_rule9_deletion_leaves_no_trace_in_the_database_or_instance_files(
        app, client, login, make_university, make_account, make_registrant):
    home = make_university(code="HOME")
    person = make_registrant(email=EMAIL, university=home, **NAMES)
    bystander = make_registrant(email="bystander@example.org", university=home,
                                family_name="森", given_name="一郎")
    db.session.execute(sa.update(Enrolment).where(Enrolment.registrant_id == person.id)
                       .values(student_number=STUDENT_NUMBER))
    db.session.commit()
    doctor_id = person.doctor_id
    needles = identifiers(doctor_id)
    editor = make_account(role=Role.STAFF, university=home, email="editor@home.example")
    editor.staff_role = "editor"
    admin = make_account(role=Role.ADMIN, email="admin@example.org")
    db.session.commit()

    # Their own log-in, a reset link in the outbox, inquiries naming them.
    login(EMAIL)
    client.submit("/logout")
    client.submit("/reset", {"email": EMAIL})
    client.submit("/contact", {"name": "黒潮 瑠璃子", "email": EMAIL, "details": "Please help",
                               "doctor_id": doctor_id, "student_number": STUDENT_NUMBER})
    client.submit("/contact", {"name": "A colleague", "email": "colleague@example.org",
                               "details": f"Is {doctor_id} still registered?"})
    # Staff find them by name, write to the alumni naming them, and preview an import.
    login("editor@home.example")
    assert client.get("/records/?name=Kuroshio").status_code == 200
    messaging.send(editor, AlumniFilter(), "黒潮 瑠璃子 様 and others",
                   "Dear Dr Kuroshio, congratulations on your award.")
    db.session.commit()
    row = dict(NAMES, student_number=STUDENT_NUMBER, email=EMAIL, birth_year="1990",
               sex="female", nationality="JP", graduate_school="Graduate School of Science",
               major="Physics", field="5", programme_type="latter", entry_date="2018-04-01",
               status="degree_awarded", status_date="2021-03-31", degree="Doctor of Science")
    preview = client.submit("/records/import", {"file": (io.BytesIO(preview_csv(row)), "s.csv")},
                            content_type="multipart/form-data")
    assert 'name="ticket"' in preview.get_data(as_text=True)
    client.submit("/logout")
    # An administrator searches the audit trail for them; a free-text detail names them.
    login("admin@example.org")
    assert client.get(f"/admin/audit?doctor_id={doctor_id}&actor={EMAIL}").status_code == 200
    # ... and answers the colleague's inquiry by mail, naming them again.
    asked = db.session.scalar(sa.select(Inquiry).where(Inquiry.email == "colleague@example.org"))
    assert client.submit(f"/admin/inquiries/{asked.id}/reply", {
        "text": f"Yes: {doctor_id} is registered."}).status_code == 302
    client.submit("/logout")
    audit.record("note.added", account=admin, object_type="university", object_id=home.id,
                 details={"note": f"student {STUDENT_NUMBER} ({NAMES['family_name_roman']})"})
    db.session.commit()
    # Mail is delivered to files (no SMTP server), links and names included.
    mail.deliver_pending()
    instance = Path(app.instance_path)
    assert list((instance / "mail").glob("*.eml")) and list((instance / "uploads").iterdir())

    [who] = people([person.id])
    before = leftovers(who)
    planted = ("accounts", "registrants", "account_tokens", "outbox_messages", "inquiries",
               "audit_events", "audit_details", "contact_messages", "mail_files",
               "preview_files", "enrolments")
    assert all(before[name] > 0 for name in planted), before
    assert {hit.rsplit(": ", 1)[1] for hit in found_in_tables(needles)} == set(needles)
    if db.engine.dialect.name == "sqlite":
        assert set(NAMES.values()) <= {hit.rsplit(": ", 1)[1]
                                       for hit in found_in_name_indexes(needles)}
    events_before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))

    consent.request_deletion(person, Actor.system(), channel="email",
                             verified_by="administrator", now=dt.datetime(2020, 1, 1,
                                                                          tzinfo=dt.timezone.utc))
    db.session.commit()
    assert run_job("deletion-deadlines")["deleted"] == 1
    db.session.expire_all()

    assert leftovers(who) == dict.fromkeys(before, 0)
    assert found_in_tables(needles) == []
    assert found_in_files(instance, needles) == []
    assert found_in_name_indexes(needles) == []
    # The audit trail keeps every event and its shape; only personal details went.
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) > events_before
    search = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "audit.searched"))
    assert search.actor_account_id == admin.id and set(search.details) == {"doctor_id", "actor"}
    note = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "note.added"))
    assert note.object_type == "university" and note.object_id == str(home.id)
    # The bystander keeps their account, mail and the staff message (scrubbed of the name).
    [message] = db.session.scalars(sa.select(ContactMessage)).all()
    assert "Dear Dr [removed], congratulations" in message.body
    assert found_in_tables(["bystander@example.org"])
    assert leftovers(people([bystander.id])[0])["accounts"] == 1
    login("bystander@example.org")


def test_an_inquiry_about_them_goes_with_its_receipt_and_answer(app, client, login,
                                                                make_registrant, make_account):
    person = make_registrant(email="gone@example.org")
    client.submit("/contact", {"name": "A colleague", "email": "colleague@example.org",
                               "details": f"Is {person.doctor_id} still with you?"})
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    asked = db.session.scalar(sa.select(Inquiry))
    client.submit(f"/admin/inquiries/{asked.id}/reply", {"text": "We cannot say, sorry."})
    kinds = set(db.session.scalars(sa.select(OutboxMessage.kind)))
    assert {"inquiry_ack", "inquiry_reply"} <= kinds
    delete_registrants([person.id], "request")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inquiry)) == 0
    left = set(db.session.scalars(sa.select(OutboxMessage.kind)))
    assert not left & {"inquiry_ack", "inquiry_reply"}  # the answer names nobody, yet goes
