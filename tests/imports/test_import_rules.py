"""Imports under rule 4 (opt-out reaches imports and queued mail), rule 1 (the university
supplies its own student numbers) and the security baseline (no account enumeration)."""
import difflib
import io

import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.actors import Actor
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.mail.models import DeliveryState, OutboxMessage
from jgrad.imports.models import PossibleDuplicate
from jgrad.registrants import consent
from jgrad.registrants import services as records
from jgrad.registrants.models import Enrolment, Registrant
from tests.factories import without_csrf
from tests.imports.test_import import ROW, csv_bytes, home, run_import  # noqa: F401


def editor_of(make_account, university, email="editor@home.example"):
    editor = make_account(role=Role.STAFF, university=university, email=email)
    editor.staff_role = "editor"
    db.session.commit()
    return editor


def preview(client, data: bytes) -> str:
    response = client.submit("/records/import", {"file": (io.BytesIO(data), "students.csv")},
                             content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_rule4_an_import_does_not_touch_a_registrant_who_stopped_sharing(
        runner, tmp_path, home, client, login, make_account):
    run_import(runner, tmp_path, csv_bytes(ROW))
    person = db.session.scalar(sa.select(Registrant))
    consent.set_consent(person, "share_with_university", False, Actor.for_account(
        person.account))
    db.session.commit()
    changed = dict(ROW, major="Applied Physics", status="withdrawn", degree="")
    result = run_import(runner, tmp_path, csv_bytes(changed))
    assert "0 added, 0 updated, 0 unchanged, 0 flagged for review, 1 not available" \
        in result.output
    assert db.session.scalar(sa.select(Enrolment.major)) == "Materials Science"
    # Staff are told only that the row is not available, not why.
    editor_of(make_account, home)
    login("editor@home.example")
    page = without_csrf(preview(client, csv_bytes(changed)))  # random tokens may spell "opt"
    assert "1 not available" in page and "row 2" in page
    assert "shar" not in page.lower() and "opt" not in page.lower()


def test_rule4_opting_out_cancels_the_universitys_mail_not_yet_sent(
        client, login, make_registrant, make_account, make_university):
    home = make_university(code="HOME")
    person = make_registrant(email="hana@example.org", university=home)
    editor_of(make_account, home)
    login("editor@home.example")
    client.submit("/records/contact", {"subject": "Alumni survey", "body": "Please answer."})
    client.submit("/logout")
    [queued] = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.kind == "contact")).all()
    assert queued.state == DeliveryState.PENDING
    login("hana@example.org")
    client.submit("/me/settings", {"accept_contact": "y"})  # sharing unticked
    db.session.refresh(queued)
    assert queued.state == DeliveryState.CANCELLED
    from jgrad.mail.delivery import claim_next

    assert claim_next(utcnow()) is None  # no sender ever takes it


def test_rule1_a_self_supplied_student_number_never_takes_the_real_students_enrolment(
        runner, tmp_path, home, client, login, make_registrant, make_account):
    claimant = make_registrant(email="claimant@example.org", university=home,
                               family_name="偽", given_name="者")
    claimed = claimant.enrolments[0]
    records.update_enrolment(claimed, {"student_number": ROW["student_number"]},
                             Actor.for_account(claimant.account))
    db.session.commit()
    result = run_import(runner, tmp_path, csv_bytes(ROW))
    assert result.exit_code == 0, result.output
    # The real student exists with the number; the claimant's enrolment lost it.
    real = db.session.scalar(sa.select(Registrant).where(Registrant.given_name == "健太"))
    assert real is not None and real.id != claimant.id
    assert [e.student_number for e in real.enrolments] == [ROW["student_number"]]
    db.session.refresh(claimed)
    assert claimed.student_number is None and claimed.major == "Physics"
    flag = db.session.scalar(sa.select(PossibleDuplicate))
    assert (flag.kind, flag.candidate_registrant_id, flag.registrant_id) == (
        "claim", claimant.id, real.id)
    # A later import updates the real student, never the claimant.
    run_import(runner, tmp_path, csv_bytes(dict(ROW, major="Applied Physics")))
    db.session.expire_all()
    assert db.session.get(Registrant, real.id).enrolments[0].major == "Applied Physics"
    assert db.session.get(Enrolment, claimed.id).major == "Physics"
    # The administrator sees the pair; keeping them apart creates no third record.
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    assert claimant.doctor_id in client.get("/admin/duplicates").get_data(as_text=True)
    assert client.submit(f"/admin/duplicates/{flag.id}/keep-apart").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Registrant.id))) == 2
    # And a registrant cannot take a number the university has supplied.
    client.submit("/logout")
    login("claimant@example.org")
    response = client.submit(f"/me/enrolments/{claimed.id}", {
        "university_id": str(home.id), "graduate_school": "Graduate School of Science",
        "field": "05", "programme_type": "latter", "student_number": ROW["student_number"],
        "entry_date": "2018-04-01", "status": "degree_awarded", "status_date": "2021-03-31",
        "degree_name": "Doctor of Science"})
    assert response.status_code == 422
    assert "already registered at this university" in response.get_data(as_text=True)


def test_security_baseline_the_import_preview_does_not_say_whose_address_it_is(
        client, login, home, make_university, make_registrant, make_account):
    elsewhere = make_university(code="AWAY")
    make_registrant(email="other.registrant@example.org", university=elsewhere)
    make_account(role=Role.STAFF, university=elsewhere, email="staff@away.example")
    make_account(role=Role.ADMIN, email="admin@example.org")
    editor_of(make_account, home)
    login("editor@home.example")
    addresses = ["other.registrant@example.org", "staff@away.example", "admin@example.org",
                 "nobody@example.org"]
    pages = {address: preview(client, csv_bytes(dict(ROW, email=address))).replace(
        address, "ADDRESS") for address in addresses}
    pages = {a: _without_tokens(p) for a, p in pages.items()}
    for address in addresses:
        assert pages[address] == pages["nobody@example.org"], "\n".join(difflib.unified_diff(
            pages["nobody@example.org"].splitlines(), pages[address].splitlines(),
            "unknown address", address, lineterm=""))
    assert "1 new" in pages["nobody@example.org"]


def _without_tokens(page: str) -> str:
    """Leave out what differs on every response whatever the file: tokens and tickets."""
    import re

    page = re.sub(r'name="ticket" value="[^"]+"', "", without_csrf(page))
    return re.sub(r'nonce="[^"]+"', "", page)
