"""Bootstrapping a deployment from the command line, and the demo data."""
import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.accounts.passwords import verify_password
from jgrad.extensions import db
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant
from jgrad.universities.models import University
from tests.factories import PASSWORD


def test_universities_add_and_list(runner):
    result = runner.invoke(args=["universities", "add", "mnu", "--name-en", "Minato University",
                                 "--name-ja", "みなと大学"])
    assert result.exit_code == 0 and "cooperating" in result.output
    result = runner.invoke(args=["universities", "add", "ASU", "--name-en", "Asahi University",
                                 "--name-ja", "朝日大学", "--not-cooperating"])
    assert result.exit_code == 0
    universities = {u.code: u.cooperating for u in db.session.scalars(sa.select(University))}
    assert universities == {"MNU": True, "ASU": False}
    listing = runner.invoke(args=["universities", "list"]).output
    assert "Asahi University / 朝日大学 (not cooperating)" in listing


def test_universities_add_refuses_duplicates_and_bad_codes(runner, make_university):
    make_university(code="DUP")
    duplicate = runner.invoke(args=["universities", "add", "dup", "--name-en", "X",
                                    "--name-ja", "X"])
    assert duplicate.exit_code != 0 and "exists already" in duplicate.output
    bad = runner.invoke(args=["universities", "add", "no spaces!", "--name-en", "X",
                              "--name-ja", "X"])
    assert bad.exit_code != 0 and "CODE" in bad.output
    assert db.session.scalar(sa.select(sa.func.count(University.id))) == 1


def test_accounts_create_with_password_from_stdin(runner, make_university):
    make_university(code="MNU")
    result = runner.invoke(args=["accounts", "create", "--role", "staff", "--email",
                                 "office@mnu.example", "--university", "MNU",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    account = db.session.scalar(sa.select(Account).where(Account.email == "office@mnu.example"))
    assert account.role == Role.STAFF and account.state == AccountState.ACTIVE
    assert verify_password(account, PASSWORD)
    admin = runner.invoke(args=["accounts", "create", "--role", "admin", "--email",
                                "root@jgrad.example", "--password-stdin"], input=PASSWORD + "\n")
    assert admin.exit_code == 0


def test_accounts_create_refuses_bad_input_and_changes_nothing(runner, make_university):
    make_university(code="MNU")
    cases = [
        (["--role", "staff", "--email", "a@x.org"], "needs a university"),
        (["--role", "admin", "--email", "a@x.org", "--university", "MNU"], "needs a university"),
        (["--role", "staff", "--email", "a@x.org", "--university", "NOPE"], "no university NOPE"),
        (["--role", "registrant", "--email", "a@x.org"], "sign up"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["accounts", "create", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    weak = runner.invoke(args=["accounts", "create", "--role", "admin", "--email", "a@x.org",
                               "--password-stdin"], input="password\n")
    assert weak.exit_code != 0 and "at least 12" in weak.output
    assert db.session.scalar(sa.select(sa.func.count(Account.id))) == 0


def test_demo_data_creates_every_role_and_prints_the_logins(runner):
    result = runner.invoke(args=["demo-data", "--registrants", "300"])
    assert result.exit_code == 0, result.output
    roles = dict(db.session.execute(
        sa.select(Account.role, sa.func.count()).group_by(Account.role)).all())
    assert roles == {Role.ADMIN: 1, Role.STAFF: 1, Role.ANALYST: 1, Role.REGISTRANT: 300}
    assert db.session.scalar(sa.select(sa.func.count(University.id)).where(
        University.cooperating.is_(False))) >= 1
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) >= 300
    assert db.session.scalar(sa.select(sa.func.count(CareerSpell.id))) > 100
    statuses = set(db.session.scalars(sa.select(Enrolment.status).distinct()))
    assert {"enrolled", "degree_awarded", "withdrawn"} <= statuses
    assert "admin@demo.jgrad.example" in result.output
    first = db.session.scalar(sa.select(Registrant).order_by(Registrant.id).limit(1))
    assert first.doctor_id in result.output
    # The printed log-ins work.
    assert verify_password(first.account, "demo registrant passphrase")
    again = runner.invoke(args=["demo-data", "--registrants", "300", "--if-empty"])
    assert "adding none" in again.output
    assert db.session.scalar(sa.select(sa.func.count(Registrant.id))) == 300


def test_demo_registrant_can_log_in_and_see_the_record(runner, client):
    runner.invoke(args=["demo-data", "--registrants", "5"])
    first = db.session.scalar(sa.select(Registrant).order_by(Registrant.id).limit(1))
    response = client.submit("/login", {"identifier": first.doctor_id,
                                        "password": "demo registrant passphrase"})
    assert response.status_code == 302
    assert first.doctor_id in client.get("/me").get_data(as_text=True)
