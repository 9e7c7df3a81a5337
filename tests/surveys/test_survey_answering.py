"""Answering a survey (issue 11; PRODUCT.md rules 3 and 5, the security baseline for links).

The personal link opens that survey for that person without a log-in; bad links get the
generic link message; answers save per page and resume; errors name the question and save
nothing; hidden, out-of-range and stale answers are refused; one submission per invitation;
a closed survey says so and keeps the answers; the career block starts from the record and,
with the registrant's consent, writes back to it as the registrant."""
import datetime as dt
import json
import re

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.actors import Actor
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from jgrad.registrants import services as records
from jgrad.registrants.history import RecordChange
from jgrad.registrants.models import CareerSpell
from surveys.invitations import invite
from surveys.models import Invitation, InvitationState, Response
from tests.factories import link_in, outbox

AT_WAVE = dt.datetime(2022, 9, 30, 3, 0, tzinfo=dt.timezone.utc)
EMPLOYED = {"labour_status": "1", "employer": "Photon Ltd", "sector": "4",
            "employment_term": "1", "working_hours": "1", "start_month": "2022-04",
            "income_band": "3", "relatedness": "1"}
PAGES = [EMPLOYED, {"job_changes": "0", "moved_abroad": "1"}, {"satisfaction_overall": "4"},
         {"intention_next": "2"}]


@pytest.fixture
def invited(make_survey, make_registrant):
    """Return a callable inviting a new registrant; gives (registrant, their link)."""
    survey_holder = {}

    def make(**profile):
        if "survey" not in survey_holder:
            survey_holder["survey"] = make_survey()
        person = make_registrant(**profile)
        invite(survey_holder["survey"], AT_WAVE)
        [message] = outbox(to=person.account.email, kind="survey_invite")
        return person, link_in(message)

    return make


VERSION_RE = re.compile(r'name="version" value="([0-9]+)"')


def _post(client, url, answers):
    """Send a page as a browser does: with the version the form was opened at."""
    page = client.get(url).get_data(as_text=True)
    found = VERSION_RE.search(page)
    data = dict(answers)
    if found:
        data.setdefault("version", found.group(1))
    return client.submit(url, data)


def _response(person) -> Response:
    db.session.expire_all()
    return db.session.scalar(sa.select(Response).where(Response.registrant_id == person.id))


def _answer_all(client, link):
    for answers in PAGES:
        response = _post(client, link, answers)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        link = response.headers["Location"]
    return link


def test_the_link_opens_the_survey_without_log_in(client, invited):
    person, link = invited()
    page = client.get(link)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    # "of 3": the satisfaction page waits on the labour status
    assert "Doctoral career tracking survey" in text and "Page 1 of 3" in text
    assert '<fieldset class="field choices' in text and "<legend>" in text
    title = text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<script" not in title and text.count('id="survey-logic"') == 1


@pytest.mark.parametrize("tamper", [lambda link: link[:-3] + "xyz", lambda link: "/surveys/r",
                                    lambda link: link + "a" * 200])
def test_a_tampered_link_gets_the_generic_link_message(client, invited, tamper):
    _person, link = invited()
    page = client.get(tamper(link))
    assert page.status_code == 404
    assert "This link cannot be used" in page.get_data(as_text=True)


def test_answers_save_per_page_and_resume_from_the_same_link(client, invited):
    person, link = invited()
    saved = _post(client, link, EMPLOYED)
    assert saved.status_code == 302 and "page=1" in saved.headers["Location"]
    response = _response(person)
    assert response.page_reached == 1 and response.answers["sector"] == 4
    assert response.invitation_id and db.session.get(
        Invitation, response.invitation_id).state == InvitationState.STARTED
    again = client.get(link).get_data(as_text=True)  # the mailed link, later: page 2
    assert "Page 2 of 4" in again
    first = client.get(link + "&page=0").get_data(as_text=True)
    assert 'value="Photon Ltd"' in first


def test_an_error_names_the_question_is_tied_to_its_field_and_saves_nothing(client, invited):
    person, link = invited()
    _post(client, link, EMPLOYED)
    page = _post(client, link + "&page=1", {"job_changes": "many", "moved_abroad": "9"})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "How many times have you changed employer" in text
    assert 'aria-describedby="error-job_changes"' in text and 'id="error-job_changes"' in text
    assert 'aria-describedby="error-moved_abroad"' in text  # a code out of its list
    assert _response(person).page_reached == 1 and "job_changes" not in _response(person).answers


def test_an_answer_to_a_hidden_question_is_refused(client, invited):
    person, link = invited()
    page = _post(client, link, {"labour_status": "3", "employer": "Somewhere"})
    assert page.status_code == 422
    assert "Name of your employer" in page.get_data(as_text=True)
    assert _response(person).page_reached == 0


def test_a_stale_form_does_not_overwrite_a_newer_save(client, invited):
    person, link = invited()
    _post(client, link, EMPLOYED)
    version = _response(person).version
    _post(client, link + "&page=0", {**EMPLOYED, "employer": "Newer Ltd", "version": version})
    stale = client.submit(link + "&page=0",
                          {**EMPLOYED, "employer": "Older Ltd", "version": version})
    assert "saved elsewhere" in stale.get_data(as_text=True)
    assert _response(person).answers["employer"] == "Newer Ltd"


def test_one_submission_per_invitation_and_the_used_link_is_generic(client, invited):
    person, link = invited()
    submit_url = _answer_all(client, link)
    assert "/surveys/r/submit" in submit_url
    done = client.submit(submit_url, {"update_career": "no"})
    assert "Thank you" in done.get_data(as_text=True)
    invitation = db.session.get(Invitation, _response(person).invitation_id)
    assert invitation.state == InvitationState.SUBMITTED and invitation.submitted_at
    for url in (link, submit_url):
        again = client.submit(url, {"update_career": "yes"})
        assert again.status_code == 404 and "This link cannot be used" in again.get_data(
            as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareerSpell)) == 0


def test_a_closed_survey_says_so_and_keeps_what_was_answered(client, invited):
    person, link = invited()
    _post(client, link, EMPLOYED)
    invitation = db.session.get(Invitation, _response(person).invitation_id)
    invitation.survey.close()
    db.session.commit()
    page = _post(client, link + "&page=1", PAGES[1])
    assert page.status_code == 409 and "This survey is closed" in page.get_data(as_text=True)
    assert _response(person).answers["employer"] == "Photon Ltd"
    assert "job_changes" not in _response(person).answers


def test_the_career_block_starts_from_the_record_and_writes_back_as_the_registrant(
        client, invited, make_registrant, login):
    person, link = invited()
    records.add_career_spell(person, dict(start_month=dt.date(2021, 4, 1),
                                          labour_status="employed", sector="university",
                                          employer="Old University"), Actor.system())
    db.session.commit()
    first = client.get(link).get_data(as_text=True)
    assert 'value="Old University"' in first
    assert 'name="sector" value="1" checked' in first  # university is code 1
    submit_url = _answer_all(client, link)
    client.submit(submit_url, {"update_career": "yes"})
    db.session.expire_all()
    spell = db.session.scalar(sa.select(CareerSpell).where(CareerSpell.registrant_id == person.id))
    assert spell.sector == "company" and spell.employer == "Photon Ltd"
    assert str(spell.changed_by) == "registrant"
    assert spell.changed_by_account_id == person.account_id
    change = db.session.scalar(sa.select(RecordChange).where(
        RecordChange.record_type == "career_spell", RecordChange.action == "update"))
    assert change.changes["sector"] == ["university", "company"]
    # The history names the survey the change came through, for the registrant and staff.
    assert change.via == "Doctoral career tracking survey"
    client.submit("/logout")
    login(person.doctor_id)
    history = client.get("/me/history").get_data(as_text=True)
    assert "(via Doctoral career tracking survey)" in history
    from jgrad.registrants.export import export_data

    downloaded = [c for c in export_data(person)["record_changes"] if c["action"] == "update"]
    assert downloaded[-1]["via"] == "Doctoral career tracking survey"
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "survey.career_written_back"))
    assert event.details["survey"] == "career-wave" and event.subject_registrant_id == person.id


def test_me_surveys_lists_and_answers_only_the_registrants_own(client, invited, login):
    person, _link = invited()
    other, _other_link = invited()
    login(person.doctor_id)
    listing = client.get("/me/surveys").get_data(as_text=True)
    own = _invitation_id(person)
    assert f"/me/surveys/{own}" in listing and f"/me/surveys/{_invitation_id(other)}" not in listing
    assert client.get(f"/me/surveys/{own}").status_code == 200
    assert client.get(f"/me/surveys/{_invitation_id(other)}").status_code == 404
    assert client.submit(f"/me/surveys/{_invitation_id(other)}", PAGES[0]).status_code == 404


def _invitation_id(person) -> int:
    return db.session.scalar(sa.select(Invitation.id).where(
        Invitation.registrant_id == person.id))


def test_me_surveys_refuses_visitors_and_other_roles(client, invited, login, make_account):
    person, _link = invited()
    assert client.get("/me/surveys").status_code == 302  # to the log-in page
    analyst = make_account(Role.ANALYST)
    login(analyst.email)
    assert client.get("/me/surveys").status_code == 403
    assert client.get(f"/me/surveys/{_invitation_id(person)}").status_code == 403


def test_the_download_includes_the_survey_answers(client, invited):
    from jgrad.registrants.export import export_data

    person, link = invited()
    _post(client, link, EMPLOYED)
    data = export_data(person)
    assert data["survey_invitations"][0]["survey"] == "career-wave"
    assert data["survey_responses"][0]["answers"]["employer"] == "Photon Ltd"
    json.dumps(data)


def test_deletion_removes_the_persons_invitations_and_responses(client, invited):
    """PRODUCT.md rule 8: a person's survey rows go with them, and leftovers counts them."""
    from jgrad.lifecycle.deletion import delete_registrants, leftovers
    from jgrad.lifecycle.person import people

    person, link = invited()
    kept, _other_link = invited()
    _post(client, link, EMPLOYED)
    [someone] = people([person.id])
    counts = leftovers(someone)
    assert counts["survey_invitations"] == 1 and counts["survey_responses"] == 1
    delete_registrants([person.id], "request")
    db.session.commit()
    assert not any(leftovers(someone).values())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 1
    assert _invitation_id(kept) is not None


def test_prefilled_answers_the_page_now_hides_are_dropped_not_refused(client, invited):
    """The form still holds the record's employer when the person now answers "seeking work":
    that is not their answer, so it is dropped with the saved one; a typed one is refused."""
    person, link = invited()
    records.add_career_spell(person, dict(start_month=dt.date(2021, 4, 1),
                                          labour_status="employed", sector="university",
                                          employer="Old University"), Actor.system())
    db.session.commit()
    saved = _post(client, link, {"labour_status": "3", "employer": "Old University",
                                 "sector": "1"})
    assert saved.status_code == 302
    answers = _response(person).answers
    assert answers["labour_status"] == 3
    assert "employer" not in answers and "sector" not in answers
    typed = _post(client, link + "&page=0", {"labour_status": "3", "employer": "New Ltd"})
    assert typed.status_code == 422 and "Name of your employer" in typed.get_data(as_text=True)
