"""Targeting and invitations (issue 11; PRODUCT.md rule 5, rule 4 for university surveys).

A wave survey invites each person when they reach the wave, counted from their own doctoral
completion; those who refuse contact, suspended and deleted accounts are never targeted; a
university reaches only the alumni the access layer lets it see. Links: >= 128 random bits,
stored hashed, the raw secret only in the outbox row until delivery (security baseline)."""
import datetime as dt
import hashlib

import sqlalchemy as sa

from jgrad.accounts.models import AccountState
from jgrad.actors import Actor
from jgrad.extensions import db
from jgrad.mail.models import SECRET_SLOT
from jgrad.registrants import consent
from jgrad.registrants import services as records
from surveys.invitations import count_targeted, invite
from surveys.models import Invitation
from tests.factories import outbox

# make_registrant completes the doctorate on 2021-03-31: 18 months later is 2022-09-30.
AT_WAVE = dt.datetime(2022, 9, 30, 3, 0, tzinfo=dt.timezone.utc)  # noon in Japan


def _invited(survey) -> set[int]:
    return set(db.session.scalars(
        sa.select(Invitation.registrant_id).where(Invitation.survey_id == survey.id)))


def test_each_person_is_invited_when_they_reach_the_wave(make_survey, make_registrant):
    survey = make_survey(rule={"wave_months": 18, "window_days": 10})
    person = make_registrant()
    for day, expected in ((dt.datetime(2022, 9, 1, tzinfo=dt.timezone.utc), set()),
                          (dt.datetime(2022, 10, 20, tzinfo=dt.timezone.utc), set())):
        assert invite(survey, day) == 0 and _invited(survey) == expected
    assert invite(survey, AT_WAVE) == 1
    assert _invited(survey) == {person.id}


def test_a_later_cohort_is_invited_later_by_the_daily_job(app, make_survey, make_registrant):
    from jgrad.jobs.runner import run_job

    survey = make_survey()
    early = make_registrant()
    late = make_registrant()
    records.update_enrolment(late.enrolments[0], {"status_date": dt.date(2022, 3, 31)},
                             Actor.system())
    db.session.commit()
    assert run_job("survey-invitations", AT_WAVE) == {"surveys": 1, "invited": 1, "reminded": 0}
    assert _invited(survey) == {early.id}
    assert run_job("survey-invitations", AT_WAVE + dt.timedelta(days=365))["invited"] == 1
    assert _invited(survey) == {early.id, late.id}


def test_running_twice_invites_nobody_twice(make_survey, make_registrant):
    survey = make_survey()
    people = {make_registrant().id for _ in range(3)}
    assert invite(survey, AT_WAVE, batch=2) == 3
    assert invite(survey, AT_WAVE) == 0
    assert _invited(survey) == people
    assert len(outbox(kind="survey_invite")) == 3


def test_who_is_never_targeted(make_survey, make_registrant, make_university):
    survey = make_survey(rule={"wave_months": 18, "fields": ["05"]})
    targeted = make_registrant()
    refuses_contact = make_registrant()
    consent.set_consent(refuses_contact, "accept_contact", False, Actor.system())
    suspended = make_registrant()
    suspended.account.suspend(reason="request")
    deleted = make_registrant()
    deleted.account.state = AccountState.DELETED
    withdrew = make_registrant()
    records.update_enrolment(withdrew.enrolments[0], {"status": "withdrawn"}, Actor.system())
    other_field = make_registrant()
    records.update_enrolment(other_field.enrolments[0], {"field": "01"}, Actor.system())
    db.session.commit()
    assert count_targeted(survey, AT_WAVE) == 1
    assert invite(survey, AT_WAVE) == 1
    assert _invited(survey) == {targeted.id}


def test_a_university_survey_reaches_only_alumni_the_access_layer_shows(
        make_survey, make_registrant, make_university):
    ours, theirs = make_university(), make_university()
    survey = make_survey(owner=ours)
    alumnus = make_registrant(university=ours)
    not_sharing = make_registrant(university=ours)
    consent.set_consent(not_sharing, "share_with_university", False, Actor.system())
    make_registrant(university=theirs)
    db.session.commit()
    assert invite(survey, AT_WAVE) == 1
    assert _invited(survey) == {alumnus.id}
    ours.cooperating = False
    later = make_registrant(university=ours)
    db.session.commit()
    assert invite(survey, AT_WAVE) == 0 and later.id not in _invited(survey)


def test_the_invitation_link_is_personal_hashed_and_absent_from_the_stored_body(
        make_survey, make_registrant):
    survey = make_survey()
    person = make_registrant(email="wave@example.org")
    person.account.locale = "ja"
    db.session.commit()
    invite(survey, AT_WAVE)
    [message] = outbox(to="wave@example.org")
    invitation = db.session.scalar(sa.select(Invitation))
    assert SECRET_SLOT in message.body_text and message.link_secret not in message.body_text
    assert len(message.link_secret) >= 43  # 256 random bits, url-safe
    assert invitation.token_hash == hashlib.sha256(message.link_secret.encode()).hexdigest()
    assert "博士人材キャリア追跡調査" in message.subject  # in the person's language
    assert message.account_id == person.account_id


def test_a_draft_survey_invites_nobody(make_survey, make_registrant):
    import pytest

    survey = make_survey(state="draft")
    make_registrant()
    with pytest.raises(ValueError):
        invite(survey, AT_WAVE)
    assert _invited(survey) == set()


def test_cli_invite_dry_run_counts_and_invites_nobody(runner, make_survey, make_registrant):
    survey = make_survey(rule={"fiscal_years": [2020]})  # completed 2021-03-31: FY 2020
    make_registrant()
    result = runner.invoke(args=["surveys", "invite", survey.slug, "--dry-run"])
    assert result.exit_code == 0 and "would invite 1 registrant(s)" in result.output
    assert _invited(survey) == set()
    result = runner.invoke(args=["surveys", "invite", survey.slug])
    assert "Invited 1 registrant(s)" in result.output
    assert len(_invited(survey)) == 1


def test_cli_target_refuses_unknown_universities_and_open_surveys(runner, make_survey):
    draft = make_survey(state="draft", slug="draft-one")
    result = runner.invoke(args=["surveys", "target", draft.slug, "--owner", "NOPE"])
    assert result.exit_code == 1 and "Unknown university code(s): NOPE" in result.output
    opened = make_survey(slug="open-one")
    result = runner.invoke(args=["surveys", "target", opened.slug, "--wave-months", "6"])
    assert result.exit_code == 1 and "does not change" in result.output
    assert opened.targeting == {"wave_months": 18, "window_days": 30, "fiscal_years": [],
                                "statuses": [], "fields": [], "university_ids": []}
