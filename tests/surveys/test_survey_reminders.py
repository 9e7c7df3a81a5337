"""Reminders (issue 11; PRODUCT.md rule 5): only to those who have not submitted, at most N
times, at least D days apart (per survey), from the command and the daily job; partial
respondents get their own text; a reminder's new link replaces the old one."""
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.actors import Actor
from jgrad.extensions import db
from jgrad.registrants import consent
from surveys.invitations import invite
from surveys.models import Invitation, InvitationState
from surveys.reminders import remind
from tests.factories import link_in, outbox

AT_WAVE = dt.datetime(2022, 9, 30, 3, 0, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)


@pytest.fixture
def wave(make_survey, make_registrant):
    """An open wave survey (2 reminders, 7 days apart) and three people invited to it."""
    survey = make_survey(max_reminders=2, reminder_gap_days=7)
    people = [make_registrant() for _ in range(3)]
    assert invite(survey, AT_WAVE) == 3
    return survey, people


def _invitation(person) -> Invitation:
    db.session.expire_all()
    return db.session.scalar(sa.select(Invitation).where(Invitation.registrant_id == person.id))


def test_reminders_go_only_to_those_who_have_not_submitted(wave):
    survey, (submitted, started, silent) = wave
    first, second = _invitation(submitted), _invitation(started)
    first.state, second.state = InvitationState.SUBMITTED, InvitationState.STARTED
    db.session.commit()
    assert remind(survey, AT_WAVE + 7 * DAY) == 2
    messages = outbox(kind="survey_reminder")
    assert {m.to_address for m in messages} == {started.account.email, silent.account.email}
    by_address = {m.to_address: m for m in messages}
    assert "saved" in by_address[started.account.email].body_text  # the partial text
    assert "not yet received" in by_address[silent.account.email].body_text


def test_at_most_n_reminders_at_least_d_days_apart(wave):
    survey, people = wave
    checked = 0
    for days, expected in ((6, 0), (7, 3), (13, 0), (14, 3), (21, 0), (60, 0)):
        assert remind(survey, AT_WAVE + days * DAY) == expected, days
        checked += 1
    assert checked == 6
    assert {_invitation(p).reminded_count for p in people} == {2}
    assert len(outbox(kind="survey_reminder")) == 6


def test_the_reminder_link_opens_the_survey_and_the_old_one_no_longer_does(client, wave):
    survey, (person, _b, _c) = wave
    [invitation_mail] = outbox(to=person.account.email, kind="survey_invite")
    old = link_in(invitation_mail)
    remind(survey, AT_WAVE + 7 * DAY)
    [reminder] = outbox(to=person.account.email, kind="survey_reminder")
    assert client.get(link_in(reminder)).status_code == 200
    assert client.get(old).status_code == 404


def test_no_reminder_to_someone_who_stopped_contact_or_for_a_closed_survey(wave):
    survey, (refuses, *_rest) = wave
    consent.set_consent(refuses, "accept_contact", False, Actor.system())
    db.session.commit()
    assert remind(survey, AT_WAVE + 7 * DAY) == 2
    assert not outbox(to=refuses.account.email, kind="survey_reminder")
    survey.close()
    db.session.commit()
    with pytest.raises(ValueError):
        remind(survey, AT_WAVE + 30 * DAY)


def test_cli_remind_dry_run_then_the_daily_job(runner, app, wave):
    from jgrad.jobs.runner import run_job

    survey, _people = wave
    db.session.execute(sa.update(Invitation).values(last_mailed_at=AT_WAVE - 30 * DAY))
    db.session.commit()
    result = runner.invoke(args=["surveys", "remind", survey.slug, "--dry-run"])
    assert result.exit_code == 0 and "would remind 3 registrant(s)" in result.output
    assert not outbox(kind="survey_reminder")
    counts = run_job("survey-invitations", AT_WAVE)
    assert counts == {"surveys": 1, "invited": 0, "reminded": 3}
    assert run_job("survey-invitations", AT_WAVE)["reminded"] == 0  # rerun: nobody twice
