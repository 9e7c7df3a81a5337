"""Rule 9 for registrants a university imported: pending accounts go dormant too.

The clock counts from the last log-in, or from creation for one who never logged in, pending
included. Time is injected: the import happens now and its creation date is moved back.
"""
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.jobs.runner import run_job
from jgrad.lifecycle.models import DormancyEpisode, EpisodeState
from jgrad.registrants.models import Registrant
from jgrad.universities.models import University
from tests.factories import PASSWORD, link_in, outbox
from tests.imports.test_import import ROW, csv_bytes

DAY = dt.timedelta(days=1)


@pytest.fixture
def imported(make_university, runner, tmp_path):
    """Import one doctoral student per row; return their pending accounts, created long ago."""
    make_university(code="HOME")

    def make(*emails, created_ago=3 * 365 * DAY + DAY):
        rows = [dict(ROW, student_number=f"D21-{n:03d}", email=email or "",
                     given_name=f"健太{n}") for n, email in enumerate(emails)]
        path = tmp_path / "students.csv"
        path.write_bytes(csv_bytes(*rows))
        result = runner.invoke(args=["universities", "import", "HOME", str(path)])
        assert result.exit_code == 0, result.output
        accounts = db.session.scalars(sa.select(Account).order_by(Account.id)).all()
        assert len(accounts) == len(emails)
        for account in accounts:
            assert account.state == AccountState.PENDING
            account.created_at = utcnow() - created_ago
        db.session.commit()
        return accounts

    return make


def check(now):
    counts = run_job("dormancy-check", now)
    db.session.expire_all()
    return counts


def registrant_exists(account_id: int) -> bool:
    return db.session.scalar(
        sa.select(Registrant.id).where(Registrant.account_id == account_id)) is not None


def test_rule9_a_pending_imported_registrant_is_notified_then_acted_on(imported):
    [account] = imported("never.came@example.org")
    account_id = account.id
    now = utcnow()
    assert check(now - 2 * DAY)["dormant"] == 0  # three years not yet over
    counts = check(now)
    assert counts["dormant"] == 1 and counts["notified"] == 1 and counts["deleted"] == 0
    [notice] = outbox(kind="dormancy_notice")
    assert notice.to_address == "never.came@example.org"
    # They never set a password: the notice sends them to get a set-password link.
    assert "/signup" in notice.body_text
    assert check(now + 29 * DAY)["deleted"] == 0 and registrant_exists(account_id)
    assert check(now + 30 * DAY)["deleted"] == 1
    assert not registrant_exists(account_id)


def test_rule9a_a_pending_imported_registrant_without_address_is_acted_on_at_once(imported):
    with_address, without = (a.id for a in imported("has.mail@example.org", None))
    counts = check(utcnow())
    assert counts["dormant"] == 2 and counts["notified"] == 1 and counts["deleted"] == 1
    assert registrant_exists(with_address) and not registrant_exists(without)


@pytest.mark.parametrize("app_config", [{"DORMANCY_ACTION": "suspend"}])
def test_rule9a_suspension_hides_a_dormant_pending_registrant_from_staff(
        imported, app_config, make_account, login, client):
    [account] = imported(None)
    home = db.session.scalar(sa.select(University).where(University.code == "HOME"))
    make_account(role=Role.STAFF, university=home, email="staff@home.example")
    doctor_id = db.session.scalar(sa.select(Registrant.doctor_id).where(
        Registrant.account_id == account.id))
    login("staff@home.example")
    assert doctor_id in client.get("/records/").get_data(as_text=True)  # seen while pending
    assert check(utcnow())["suspended"] == 1
    account = db.session.get(Account, account.id)
    assert account.state == AccountState.SUSPENDED and account.state_reason == "dormancy"
    listing = client.get("/records/")
    assert listing.status_code == 200 and doctor_id not in listing.get_data(as_text=True)
    assert client.get(f"/records/{doctor_id}").status_code == 404


def test_rule9_setting_the_password_ends_a_pending_registrant_s_dormancy(imported, client):
    [account] = imported("late.comer@example.org")
    account_id = account.id
    now = utcnow()
    assert check(now)["notified"] == 1
    # The notice's way back: ask for a set-password link, follow it, set the password.
    client.submit("/signup", {"email": "late.comer@example.org"})
    [link] = outbox(kind="signup")
    client.get(link_in(link))
    response = client.submit("/signup/complete", {"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    episode = db.session.scalar(sa.select(DormancyEpisode).where(
        DormancyEpisode.account_id == account_id))
    assert episode.state == EpisodeState.ENDED and episode.open_account_id is None
    counts = check(now + 31 * DAY)
    assert counts["dormant"] == 0 and counts["deleted"] == 0 and counts["suspended"] == 0
    assert db.session.get(Account, account_id).state == AccountState.ACTIVE


def test_rule9_the_dashboard_counts_pending_registrants_about_to_go_dormant(imported, app):
    from jgrad.lifecycle.dashboard import next_30_days

    imported("soon@example.org", created_ago=3 * 365 * DAY - 10 * DAY)
    coming = next_30_days(utcnow(), app.config["DORMANCY_YEARS"])
    assert coming["becoming dormant"] == 1
