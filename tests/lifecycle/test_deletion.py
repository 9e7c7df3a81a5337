"""Rule 8 and deletion: requests are processed by their deadline and nothing of the person stays."""
import dataclasses
import datetime as dt
import threading

import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.actors import Actor
from jgrad.audit.models import AuditEvent
from jgrad.audit import services as audit
from jgrad.contact.models import Inquiry
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.lifecycle.deletion import delete_registrants, ledger_hash, leftovers, replay_deletions
from jgrad.lifecycle.models import DeletionLedgerEntry
from jgrad.lifecycle.person import people
from jgrad.jobs.runner import run_job
from jgrad.registrants import consent
from jgrad.registrants import services as records
from jgrad.registrants.history import DeletionRequest
from jgrad.registrants.models import Registrant
from tests.factories import PASSWORD, outbox

DAY = dt.timedelta(days=1)


def identity(registrant):
    [person] = people([registrant.id])
    return person


def busy_registrant(make_registrant, client, email="full@example.org"):
    """A registrant with a career, history, mail, tokens, an inquiry and audit events."""
    registrant = make_registrant(email=email)
    client.submit("/login", {"identifier": email, "password": PASSWORD})
    client.submit("/me/careers/new", {"start_month": "2021-04", "labour_status": "employed",
                                      "employer": "Sakura Pharma", "sector": "company"})
    client.submit("/me/settings", {"accept_contact": "y"})
    client.get("/me/download/jgrad-record.json")
    client.submit("/logout")
    client.submit("/reset", {"email": email})
    client.submit("/contact", {"name": "Full", "email": email, "details": "hello",
                               "doctor_id": registrant.doctor_id})
    db.session.expire_all()
    return registrant


def test_deletion_leaves_nothing_that_refers_to_the_person(make_registrant, client):
    registrant = busy_registrant(make_registrant, client)
    other = make_registrant(email="other@example.org")
    who = identity(registrant)
    before = leftovers(who)
    assert all(before[name] > 0 for name in (
        "accounts", "registrants", "enrolments", "career_spells", "record_changes",
        "consent_changes", "audit_events", "outbox_messages", "account_tokens", "inquiries"))
    assert delete_registrants([registrant.id], "request") == 1
    db.session.commit()
    assert leftovers(who) == dict.fromkeys(before, 0)
    # Only the keyed hash stays, and the other registrant is untouched.
    entry = db.session.scalar(sa.select(DeletionLedgerEntry))
    assert entry.doctor_id_hash == ledger_hash(who.doctor_id)
    assert who.doctor_id not in entry.doctor_id_hash
    assert entry.reason == "request"
    assert db.session.get(Registrant, other.id) is not None
    assert other.enrolments


def test_rule8_deletion_request_is_processed_by_its_deadline(make_registrant, client, runner):
    registrant = make_registrant(email="leaving@example.org")
    who = identity(registrant)
    client.submit("/login", {"identifier": "leaving@example.org", "password": PASSWORD})
    client.submit("/me/delete", {"password": PASSWORD, "confirm": "y"})
    request = db.session.scalar(sa.select(DeletionRequest))
    due = request.due_at
    assert run_job("deletion-deadlines", due - DAY) == {"deleted": 0}
    assert db.session.get(Registrant, who.registrant_id) is not None
    assert run_job("deletion-deadlines", due) == {"deleted": 1}
    assert leftovers(who) == dict.fromkeys(leftovers(who), 0)
    assert run_job("deletion-deadlines", due + DAY) == {"deleted": 0}


def test_administrator_records_an_email_request_and_processes_it_sooner(
        make_registrant, make_account, client, login):
    registrant = make_registrant(email="bymail@example.org")
    who = identity(registrant)
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    asked = client.submit("/admin/deletions", {"doctor_id": registrant.doctor_id.lower(),
                                               "reason": "Verified by phone call."})
    page = asked.get_data(as_text=True)  # whose record it is, and what will happen, first
    assert asked.status_code == 200 and f"{registrant.family_name} {registrant.given_name}" in page
    assert db.session.scalar(sa.select(DeletionRequest)) is None
    assert db.session.get(Account, who.account_id).state == AccountState.ACTIVE
    response = client.submit("/admin/deletions", {"doctor_id": registrant.doctor_id,
                                                  "reason": "Verified by phone call.",
                                                  "confirmed": "yes"})
    assert response.status_code == 302
    request = db.session.scalar(sa.select(DeletionRequest))
    assert request.channel == "email" and request.verified_by == "administrator"
    assert db.session.get(Account, who.account_id).state == AccountState.SUSPENDED
    page = client.get("/admin/").get_data(as_text=True)
    assert registrant.doctor_id in page and "Deletion queue" in page
    request_id = request.id
    confirm = client.get(f"/admin/deletions/{request_id}/process").get_data(as_text=True)
    assert "cannot be brought back" in confirm
    assert leftovers(who)["registrants"] == 1  # asking deleted nothing
    assert client.submit(f"/admin/deletions/{request_id}/process").status_code == 302
    assert leftovers(who) == dict.fromkeys(leftovers(who), 0)
    assert client.submit(f"/admin/deletions/{request_id}/process").status_code == 404
    unknown = client.submit("/admin/deletions", {"doctor_id": "JD000000000"},
                            follow_redirects=True)
    assert "No registrant has this Doctor ID." in unknown.get_data(as_text=True)


def test_suspended_registrants_are_deleted_on_time_even_when_never_notified(make_registrant):
    registrant = make_registrant(email="x@example.org")
    consent.request_deletion(registrant, Actor.system(), channel="email",
                             verified_by="administrator", now=utcnow() - 31 * DAY)
    db.session.commit()
    assert run_job("deletion-deadlines")["deleted"] == 1


def test_replaying_the_ledger_deletes_people_restored_from_a_backup(make_registrant, runner):
    registrant = make_registrant(email="restored@example.org")
    doctor_id = registrant.doctor_id
    delete_registrants([registrant.id], "request")
    db.session.commit()
    # A backup from before the deletion is restored: the person is back.
    restored = make_registrant(email="restored@example.org")
    restored.doctor_id = doctor_id
    restored.account.login = doctor_id
    db.session.commit()
    dry = runner.invoke(args=["lifecycle", "replay-deletions", "--dry-run"])
    assert "Would delete 1 registrant(s)" in dry.output
    result = runner.invoke(args=["lifecycle", "replay-deletions"])
    assert "Deleted 1 registrant(s)" in result.output
    assert db.session.scalar(sa.select(Registrant).where(Registrant.doctor_id == doctor_id)) is None
    assert replay_deletions() == 0


def test_deletion_request_mail_and_audit(make_registrant, client):
    registrant = make_registrant(email="leaving@example.org")
    client.submit("/login", {"identifier": "leaving@example.org", "password": PASSWORD})
    client.submit("/me/delete", {"password": PASSWORD, "confirm": "y"})
    [message] = outbox(kind="deletion_requested")
    assert "suspended" in message.body_text
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "deletion.requested"))
    assert event.subject_registrant_id == registrant.id
    assert event.actor_account_id == registrant.account_id
    assert event.details["channel"] == "web"


def test_audit_events_about_other_people_survive_a_deletion(make_registrant):
    registrant = make_registrant(email="gone@example.org")
    keeper = make_registrant(email="stays@example.org")
    audit.record("test.kept", object_type="registrant", object_id=keeper.id,
                 subject_registrant_id=keeper.id)
    db.session.commit()
    delete_registrants([registrant.id], "request")
    db.session.commit()

    kept = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "test.kept"))
    assert kept.subject_registrant_id == keeper.id


def test_inquiries_of_the_deleted_person_go_too(make_registrant, client):
    registrant = make_registrant(email="asker@example.org")
    client.submit("/contact", {"name": "A", "email": "asker@example.org", "details": "?"})
    client.submit("/contact", {"name": "B", "email": "someone@example.org", "details": "?"})
    delete_registrants([registrant.id], "request")
    db.session.commit()
    assert [i.email for i in db.session.scalars(sa.select(Inquiry))] == ["someone@example.org"]


def test_two_runners_at_once_run_a_job_once(app, make_registrant, monkeypatch):
    """A second runner finds the lock held and does nothing while the first is working."""
    from jgrad.registry import registry

    inside, release = threading.Event(), threading.Event()
    jobs = registry().jobs
    real = jobs["token-cleanup"].function

    def slow_cleanup(now, dry_run=False, progress=None):
        inside.set()
        assert release.wait(10)
        return real(now, dry_run=dry_run, progress=progress)

    monkeypatch.setitem(jobs, "token-cleanup",
                        dataclasses.replace(jobs["token-cleanup"], function=slow_cleanup))
    results = {}

    def first_runner():
        with app.app_context():
            results["first"] = run_job("token-cleanup")

    thread = threading.Thread(target=first_runner)
    thread.start()
    assert inside.wait(10)
    results["second"] = run_job("token-cleanup")
    release.set()
    thread.join(10)
    assert results["second"] is None
    assert results["first"] == {"removed": 0}
    assert run_job("token-cleanup") == {"removed": 0}  # the lock was released


def test_rule8_the_leftovers_command_reports_traces_until_the_deletion(make_registrant, runner):
    registrant = make_registrant(email="checked@example.org", family_name_roman="Aomori",
                                 given_name_roman="Shizuka")
    doctor_id = registrant.doctor_id
    args = ["lifecycle", "leftovers", doctor_id.lower(), "--email", "checked@example.org",
            "--name", "Aomori", "--name", "Shizuka"]
    before = runner.invoke(args=args)
    assert before.exit_code == 1 and "registrants: 1" in before.output, before.output
    delete_registrants([registrant.id], "request")
    db.session.commit()
    after = runner.invoke(args=args)
    assert after.exit_code == 0 and f"Nothing is left of {doctor_id}." in after.output
