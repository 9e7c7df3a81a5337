"""Rule 9: dormancy notices, reminders, the configured action, and logging in ending it."""
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountState, EmailStatus
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.lifecycle import dormancy
from jgrad.lifecycle.models import DormancyEpisode, EpisodeState
from jgrad.jobs.runner import run_job
from jgrad.registrants.models import Registrant
from tests.factories import PASSWORD, outbox

NOW = dt.datetime(2030, 6, 1, 12, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)


@pytest.fixture
def registrant_last_seen(make_registrant):
    """Make a registrant whose last log-in (or creation) was at a given moment."""

    def make(last_login, email="sleepy@example.org", created=None, **account_fields):
        registrant = make_registrant(email=email)
        account = registrant.account
        if email is None:
            account.email = None
        account.created_at = created or dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
        account.last_login_at = last_login
        for name, value in account_fields.items():
            setattr(account, name, value)
        db.session.commit()
        return registrant

    return make


def check(now):
    counts = run_job("dormancy-check", now)
    db.session.expire_all()
    return counts


def episode_of(registrant):
    return db.session.scalar(sa.select(DormancyEpisode).where(
        DormancyEpisode.account_id == registrant.account_id))


def test_rule9_more_than_three_years_without_login_is_dormant(registrant_last_seen):
    just_under = registrant_last_seen(NOW - dt.timedelta(days=3 * 365 - 1), email="a@x.org")
    over = registrant_last_seen(NOW - dt.timedelta(days=3 * 365 + 2), email="b@x.org")
    never = registrant_last_seen(None, email="c@x.org",
                                 created=NOW - dt.timedelta(days=3 * 365 + 2))
    counts = check(NOW)
    assert counts["dormant"] == 2 and counts["notified"] == 2
    assert episode_of(just_under) is None
    assert episode_of(over).reason == "no_login" and episode_of(never).reason == "no_login"
    assert {m.to_address for m in outbox(kind="dormancy_notice")} == {"b@x.org", "c@x.org"}


def test_rule9_the_notice_asks_to_log_in_and_names_the_deadline(registrant_last_seen):
    registrant = registrant_last_seen(NOW - 4 * 365 * DAY)
    check(NOW)
    [notice] = outbox(kind="dormancy_notice")
    assert registrant.doctor_id in notice.body_text
    assert "/login" in notice.body_text
    assert (NOW + 30 * DAY).date().isoformat() in notice.body_text
    assert episode_of(registrant).deadline_at == NOW + 30 * DAY


def test_rule9_one_notice_per_dormancy_episode(registrant_last_seen):
    registrant_last_seen(NOW - 4 * 365 * DAY)
    check(NOW)
    check(NOW + DAY)
    check(NOW + 2 * DAY)
    assert len(outbox(kind="dormancy_notice")) == 1
    assert db.session.scalar(sa.select(sa.func.count(DormancyEpisode.id))) == 1


def test_rule9_reminder_before_the_deadline(registrant_last_seen):
    registrant_last_seen(NOW - 4 * 365 * DAY)
    check(NOW)
    assert check(NOW + 22 * DAY)["reminded"] == 0  # 8 days left
    assert check(NOW + 23 * DAY + dt.timedelta(hours=1))["reminded"] == 1  # within 7 days
    assert check(NOW + 24 * DAY)["reminded"] == 0
    assert len(outbox(kind="dormancy_reminder")) == 1


@pytest.mark.parametrize("app_config", [{"DORMANCY_REMINDER_DAYS": 0}])
def test_reminder_can_be_switched_off(registrant_last_seen, app_config):
    registrant_last_seen(NOW - 4 * 365 * DAY)
    check(NOW)
    assert check(NOW + 29 * DAY)["reminded"] == 0


def test_rule9c_no_login_within_30_days_deletes_by_default(registrant_last_seen):
    registrant_id = registrant_last_seen(NOW - 4 * 365 * DAY).id
    check(NOW)
    assert check(NOW + 29 * DAY)["deleted"] == 0
    counts = check(NOW + 30 * DAY)
    assert counts["deleted"] == 1
    assert db.session.get(Registrant, registrant_id) is None
    assert check(NOW + 31 * DAY)["deleted"] == 0  # a second run does nothing


@pytest.mark.parametrize("app_config", [{"DORMANCY_ACTION": "suspend"}])
def test_rule9c_configured_suspension_and_login_reactivates(
        registrant_last_seen, client, app_config):
    registrant = registrant_last_seen(NOW - 4 * 365 * DAY)
    check(NOW)
    counts = check(NOW + 30 * DAY)
    assert counts["suspended"] == 1 and counts["deleted"] == 0
    account = db.session.get(Account, registrant.account_id)
    assert account.state == AccountState.SUSPENDED and account.state_reason == "dormancy"
    assert episode_of(registrant).state == EpisodeState.ACTIONED
    assert check(NOW + 31 * DAY) == dict.fromkeys(counts, 0)
    # A registrant suspended for dormancy who logs in is active again.
    response = client.submit("/login", {"identifier": "sleepy@example.org", "password": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(account)
    assert account.state == AccountState.ACTIVE


def test_rule9a_no_email_address_is_acted_on_at_once(registrant_last_seen):
    registrant_id = registrant_last_seen(NOW - 4 * 365 * DAY, email=None).id
    counts = check(NOW)
    assert counts["dormant"] == 1 and counts["notified"] == 0 and counts["deleted"] == 1
    assert db.session.get(Registrant, registrant_id) is None


def test_rule9b_invalid_address_is_acted_on_at_once(registrant_last_seen):
    registrant_id = registrant_last_seen(
        NOW - 4 * 365 * DAY, email_status=EmailStatus.INVALID).id
    counts = check(NOW)
    assert counts["notified"] == 0 and counts["deleted"] == 1
    assert db.session.get(Registrant, registrant_id) is None


def test_rule9b_a_notice_that_bounces_leads_to_action_without_waiting(registrant_last_seen):
    registrant = registrant_last_seen(NOW - 4 * 365 * DAY)
    check(NOW)
    account = db.session.get(Account, registrant.account_id)
    account.email_status = EmailStatus.INVALID  # as a 550 from the mail server would
    db.session.commit()
    assert check(NOW + DAY)["deleted"] == 1


def test_rule9_logging_in_during_the_30_days_ends_dormancy(registrant_last_seen, client):
    registrant = registrant_last_seen(NOW - 4 * 365 * DAY)
    check(NOW)
    client.submit("/login", {"identifier": "sleepy@example.org", "password": PASSWORD})
    episode = episode_of(registrant)
    assert episode.state == EpisodeState.ENDED and episode.open_account_id is None
    counts = check(NOW + 31 * DAY)
    assert counts["deleted"] == 0 and counts["suspended"] == 0
    account = db.session.get(Account, registrant.account_id)
    assert account.state == AccountState.ACTIVE


def test_a_login_the_check_has_not_seen_yet_still_counts(registrant_last_seen):
    registrant = registrant_last_seen(NOW - 4 * 365 * DAY)
    check(NOW)
    account = db.session.get(Account, registrant.account_id)
    account.last_login_at = NOW + 5 * DAY  # e.g. logged in through a path that did not close it
    db.session.commit()
    counts = check(NOW + 31 * DAY)
    assert counts["reactivated"] == 1 and counts["deleted"] == 0


def test_a_new_episode_starts_when_dormant_again(registrant_last_seen, client):
    registrant = registrant_last_seen(NOW - 4 * 365 * DAY)
    check(NOW)
    account = db.session.get(Account, registrant.account_id)
    account.last_login_at = NOW + DAY
    db.session.commit()
    check(NOW + 2 * DAY)
    later = NOW + DAY + dt.timedelta(days=3 * 366)
    assert check(later)["notified"] == 1
    assert len(outbox(kind="dormancy_notice")) == 2


def test_dry_run_predicts_the_run_and_changes_nothing(registrant_last_seen):
    registrant_last_seen(NOW - 4 * 365 * DAY, email="a@x.org")
    registrant_last_seen(NOW - 5 * 365 * DAY, email=None)
    planned = run_job("dormancy-check", NOW, dry_run=True)
    assert db.session.scalar(sa.select(sa.func.count(DormancyEpisode.id))) == 0
    assert outbox() == []
    assert planned == check(NOW)
    later = NOW + 30 * DAY
    assert run_job("dormancy-check", later, dry_run=True) == check(later)


def test_a_crash_mid_check_loses_no_work_and_sends_no_second_notice(
        registrant_last_seen, monkeypatch):
    for n in range(5):
        registrant_last_seen(NOW - 4 * 365 * DAY, email=f"p{n}@x.org")
    real_queue_many = dormancy.mail.queue_many
    calls = {"n": 0}

    def crash_on_second_batch(recipients, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real_queue_many(recipients, **kwargs)

    monkeypatch.setattr(dormancy.mail, "queue_many", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        dormancy.run(NOW, batch=2)
    db.session.rollback()
    assert len(outbox(kind="dormancy_notice")) == 2  # the first batch was committed
    monkeypatch.setattr(dormancy.mail, "queue_many", real_queue_many)
    counts = dormancy.run(NOW, batch=2)
    assert counts["notified"] == 3 and counts["dormant"] == 0
    notices = outbox(kind="dormancy_notice")
    assert len(notices) == 5 and len({m.to_address for m in notices}) == 5


def test_clock_moved_three_years_then_30_days(make_registrant, runner):
    registrant = make_registrant(email="timetravel@example.org")
    account = registrant.account
    account.created_at = account.last_login_at = utcnow()
    db.session.commit()
    start = utcnow().date()
    three_years = start.replace(year=start.year + 3) + dt.timedelta(days=1)
    first = runner.invoke(args=["lifecycle", "run", "--as-of", three_years.isoformat()])
    assert "1 newly dormant, 1 notified" in first.output, first.output
    month_later = three_years + dt.timedelta(days=30)
    second = runner.invoke(args=["lifecycle", "run", "--as-of", month_later.isoformat()])
    assert "1 deleted for dormancy" in second.output, second.output
    third = runner.invoke(args=["lifecycle", "run", "--as-of", month_later.isoformat()])
    assert "0 newly dormant, 0 notified, 0 reminded, 0 suspended, 0 deleted" in third.output
