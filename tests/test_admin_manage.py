"""Administration: universities and cooperation, accounts, the provisions register, audit search."""
import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.extensions import db
from jgrad.portal.models import Provision
from jgrad.universities.models import University
from tests.factories import PASSWORD, outbox


def admin(client, login, make_account):
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")


def test_stopping_cooperation_removes_staff_access_at_once(
        app, client, login, make_account, make_university, make_registrant):
    home = make_university(code="HOME")
    person = make_registrant(email="p@example.org", university=home)
    make_account(role=Role.STAFF, university=home, email="staff@home.example")
    staff = app.test_client()
    staff.submit("/login", {"identifier": "staff@home.example", "password": PASSWORD})
    assert staff.get(f"/records/{person.doctor_id}").status_code == 200
    admin(client, login, make_account)
    assert client.submit(f"/admin/universities/{home.id}/cooperation").status_code == 302
    assert db.session.get(University, home.id).cooperating is False
    assert staff.get(f"/records/{person.doctor_id}").status_code == 404
    client.submit(f"/admin/universities/{home.id}/cooperation")
    assert staff.get(f"/records/{person.doctor_id}").status_code == 200


def test_adding_a_university_checks_the_code(client, login, make_account, make_university):
    make_university(code="DUP")
    admin(client, login, make_account)
    response = client.submit("/admin/universities", {"code": "dup", "name_en": "X",
                                                     "name_ja": "X", "kind": "private"})
    assert "exists already" in response.get_data(as_text=True)
    ok = client.submit("/admin/universities", {"code": "new-1", "name_en": "New University",
                                               "name_ja": "新大学", "kind": "private"})
    assert ok.status_code == 302
    assert db.session.scalar(sa.select(University.kind).where(University.code == "NEW-1")) \
        == "private"


def test_inviting_and_suspending_staff(app, client, login, make_account, make_university):
    home = make_university(code="HOME")
    admin(client, login, make_account)
    response = client.submit("/admin/accounts", {"email": "new.staff@home.example",
                                                 "role": "staff", "university_id": str(home.id),
                                                 "staff_role": "editor"})
    assert response.status_code == 302
    account = db.session.scalar(sa.select(Account).where(Account.email == "new.staff@home.example"))
    assert account.state == AccountState.PENDING and account.staff_role == "editor"
    assert outbox(to="new.staff@home.example", kind="invite")
    no_university = client.submit("/admin/accounts", {"email": "x@home.example",
                                                      "role": "staff", "university_id": "0",
                                                      "staff_role": "viewer"})
    assert "needs a university" in no_university.get_data(as_text=True)
    analyst = make_account(role=Role.ANALYST, email="analyst@example.org")
    other = app.test_client()
    other.submit("/login", {"identifier": "analyst@example.org", "password": PASSWORD})
    assert other.get("/stats/").status_code == 200
    client.submit(f"/admin/accounts/{analyst.id}/state")
    assert db.session.get(Account, analyst.id).state == AccountState.SUSPENDED
    assert other.get("/stats/").status_code == 302  # the session ended


def test_rule6_every_provision_is_recorded_and_exportable(client, login, make_account):
    admin(client, login, make_account)
    future = client.submit("/admin/provisions", {
        "dataset": "x", "recipient": "y", "purpose": "z", "legal_basis": "b",
        "provided_on": "2999-01-01"})
    assert "cannot be in the future" in future.get_data(as_text=True)
    response = client.submit("/admin/provisions", {
        "dataset": "Career outcomes of FY2020 graduates (de-identified extract)",
        "recipient": "Ministry of Education, Culture, Sports, Science and Technology",
        "purpose": "Review of doctoral fellowship policy", "legal_basis": "Terms, article 6",
        "provided_on": "2026-10-01", "records": "1200"})
    assert response.status_code == 302
    provision = db.session.scalar(sa.select(Provision))
    assert provision.records == 1200 and provision.recorded_by_account_id is not None
    exported = client.get("/admin/provisions.csv").get_data(as_text=True)
    assert "Review of doctoral fellowship policy" in exported and "2026-10-01" in exported


def test_audit_trail_search(client, login, make_account, make_registrant):
    person = make_registrant(email="p@example.org")
    client.submit("/login", {"identifier": "p@example.org", "password": "wrong password here"})
    admin(client, login, make_account)
    page = client.get("/admin/audit?action=login.failed").get_data(as_text=True)
    assert "login.failed" in page and "login.succeeded" not in page
    about = client.get(f"/admin/audit?doctor_id={person.doctor_id.lower()}").get_data(
        as_text=True)
    assert "record.registrant.create" in about
    assert client.get("/admin/audit?since=not-a-date&outcome=denied").status_code == 422


def test_an_invitation_names_the_role_and_university_in_its_language(
        client, login, make_account, make_university):
    home = make_university(code="HOME")
    admin(client, login, make_account)
    client.submit("/admin/accounts", {"email": "ja.staff@home.example", "role": "staff",
                                      "university_id": str(home.id), "staff_role": "editor",
                                      "locale": "ja"})
    client.submit("/admin/accounts", {"email": "en.analyst@example.org", "role": "analyst",
                                      "university_id": "0", "staff_role": "viewer",
                                      "locale": "en"})
    [ja] = outbox(to="ja.staff@home.example", kind="invite")
    assert home.name_ja in ja.body_text and "大学の職員" in ja.body_text
    assert "閲覧・取込・訂正" in ja.body_text and "University" not in ja.body_text
    [en] = outbox(to="en.analyst@example.org", kind="invite")
    assert "Your role: Analyst." in en.body_text
    assert db.session.scalar(sa.select(Account.locale).where(
        Account.email == "ja.staff@home.example")) == "ja"


def test_far_reaching_actions_ask_first_and_say_what_they_did(
        client, login, make_account, make_university):
    home = make_university(code="HOME")
    analyst = make_account(role=Role.ANALYST, email="analyst@example.org")
    admin(client, login, make_account)
    page = client.get(f"/admin/universities/{home.id}/cooperation").get_data(as_text=True)
    assert "Stop joint utilization with" in page and "Nothing is deleted" in page
    assert db.session.get(University, home.id).cooperating  # asking changed nothing
    done = client.submit(f"/admin/universities/{home.id}/cooperation", follow_redirects=True)
    assert "has stopped" in done.get_data(as_text=True)
    page = client.get(f"/admin/accounts/{analyst.id}/state").get_data(as_text=True)
    assert "Suspend the account of analyst@example.org?" in page
    assert db.session.get(Account, analyst.id).state == AccountState.ACTIVE
    done = client.submit(f"/admin/accounts/{analyst.id}/state", follow_redirects=True)
    assert "analyst@example.org is suspended" in done.get_data(as_text=True)
    listing = client.get("/admin/accounts").get_data(as_text=True)
    assert "Suspended" in listing and ">suspended<" not in listing
    assert client.get("/admin/accounts/99999/state").status_code == 404


def test_accounts_are_found_by_address_and_university_and_paged(client, login, make_account,
                                                               make_university):
    home, away = make_university(code="HOME"), make_university(code="AWAY")
    for n in range(55):
        make_account(role=Role.STAFF, email=f"s{n:02d}@home.example", university=home)
    make_account(role=Role.STAFF, email="only@away.example", university=away)
    admin(client, login, make_account)
    first = client.get("/admin/accounts").get_data(as_text=True)
    rows = first.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == 50 and "Next" in first  # 57 accounts: a page of 50, then the rest
    second = client.get("/admin/accounts?page=2").get_data(as_text=True)
    assert second.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == 7
    found = client.get("/admin/accounts?find=ONLY@").get_data(as_text=True)
    assert "only@away.example" in found and "s01@home.example" not in found
    narrowed = client.get(f"/admin/accounts?university={away.id}").get_data(as_text=True)
    assert "only@away.example" in narrowed and "@home.example" not in narrowed
    assert "choose one from the list" in client.get(
        "/admin/accounts?university=x").get_data(as_text=True)
    assert "No accounts match." in client.get("/admin/accounts?find=%25").get_data(as_text=True)
