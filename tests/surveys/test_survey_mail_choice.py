"""Stopping survey e-mail (issue 11; PRODUCT.md rule 5): every survey e-mail carries a link
that stops survey mail; the choice is kept as a history, takes effect at once for invitations
and reminders, and the registrant can turn it on again from /me/surveys."""
import datetime as dt
import re

import sqlalchemy as sa

from jgrad.extensions import db
from surveys.invitations import invite
from surveys.models import SurveyMailChoice
from surveys.reminders import remind
from tests.factories import outbox

AT_WAVE = dt.datetime(2022, 9, 30, 3, 0, tzinfo=dt.timezone.utc)


def _stop_link(message) -> str:
    url = re.search(r"https?://\S+/surveys/stop\S*", message.text()).group(0)
    return url[url.index("/surveys/stop"):]


def test_the_stop_link_in_the_invitation_stops_reminders_and_later_surveys(
        client, make_survey, make_registrant):
    survey = make_survey(max_reminders=2, reminder_gap_days=7)
    person, other = make_registrant(), make_registrant()
    invite(survey, AT_WAVE)
    [message] = outbox(to=person.account.email, kind="survey_invite")
    link = _stop_link(message)
    assert "stop e-mail about surveys" in message.text().lower()
    page = client.get(link)
    assert page.status_code == 200
    done = client.submit(link)
    assert "Survey e-mail stopped" in done.get_data(as_text=True)
    [choice] = db.session.scalars(sa.select(SurveyMailChoice)).all()
    assert (choice.registrant_id, choice.accept, choice.via) == (person.id, False, "link")
    assert remind(survey, AT_WAVE + dt.timedelta(days=7)) == 1  # only the other person
    assert not outbox(to=person.account.email, kind="survey_reminder")
    later = make_survey(slug="later-wave")
    assert invite(later, AT_WAVE) == 1
    assert [m.id for m in outbox(to=person.account.email, kind="survey_invite")] == [message.id]
    assert len(outbox(to=other.account.email, kind="survey_invite")) == 2


def test_a_tampered_stop_link_gets_the_generic_link_message(client, make_survey,
                                                            make_registrant):
    invite(make_survey(), AT_WAVE)
    make_registrant()
    page = client.submit("/surveys/stop?token=not-a-real-token")
    assert page.status_code == 404 and "This link cannot be used" in page.get_data(as_text=True)
    assert not db.session.scalars(sa.select(SurveyMailChoice)).all()


def test_the_registrant_turns_survey_mail_back_on_with_its_history(
        client, login, make_survey, make_registrant):
    survey = make_survey()
    person = make_registrant()
    login(person.doctor_id)
    client.submit("/me/surveys/mail", {"accept": "no"})
    assert "You have stopped e-mail about surveys" in client.get("/me/surveys").get_data(
        as_text=True)
    assert invite(survey, AT_WAVE) == 0
    client.submit("/me/surveys/mail", {"accept": "yes"})
    assert invite(survey, AT_WAVE) == 1
    history = db.session.scalars(
        sa.select(SurveyMailChoice.accept).order_by(SurveyMailChoice.id)).all()
    assert history == [False, True]
