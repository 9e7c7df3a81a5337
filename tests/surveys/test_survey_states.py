"""A survey's lifecycle (issue 11): draft -> open -> closed through model methods that check
the transition and write the audit event; an open survey's questions are frozen (a change is a
new version); and the `flask surveys` commands that load, list, open, close and export."""
import json

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from surveys import services
from surveys.models import InvalidTransition, Survey, SurveyState, SurveyVersion
from tests.surveys.conftest import EXAMPLE

REDCAP = "tests/surveys/data/alumni_followup_redcap.csv"


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_open_then_close_each_write_their_audit_event(make_survey):
    survey = make_survey(state="draft")
    assert survey.state == SurveyState.DRAFT
    survey.open()
    db.session.commit()
    assert survey.state == SurveyState.OPEN and survey.opened_at is not None
    survey.close()
    db.session.commit()
    assert survey.state == SurveyState.CLOSED and survey.closed_at is not None
    [opened], [closed] = _events("survey.open"), _events("survey.closed")
    assert opened.object_id == str(survey.id) and opened.details["from"] == "draft"
    assert closed.details == {"from": "open", "slug": survey.slug}


@pytest.mark.parametrize("state, verb", [
    ("draft", "close"), ("open", "open"), ("closed", "open"), ("closed", "close")])
def test_a_refused_transition_changes_nothing_and_is_not_audited(make_survey, state, verb):
    survey = make_survey(state=state)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    with pytest.raises(InvalidTransition):
        getattr(survey, verb)()
    assert survey.state == state
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def test_a_changed_definition_is_a_new_version_and_the_old_one_stays(make_survey):
    from surveys import load_json

    survey = make_survey()
    first = survey.current_version
    data = json.loads(EXAMPLE.read_text("utf-8"))
    assert services.store(load_json(json.dumps(data)))[1] is None  # unchanged: no version
    data["title"]["en"] = "Doctoral career tracking survey, second edition"
    stored, version = services.store(load_json(json.dumps(data)))
    db.session.commit()
    assert stored.id == survey.id and version.number == 2
    assert json.loads(first.definition_json)["title"]["en"] == "Doctoral career tracking survey"
    assert [v.number for v in survey.versions] == [1, 2]


def test_a_closed_survey_takes_no_new_version(make_survey):
    from surveys import load_json

    survey = make_survey(state="closed")
    data = json.loads(EXAMPLE.read_text("utf-8"))
    data["title"]["en"] = "Changed"
    with pytest.raises(InvalidTransition):
        services.store(load_json(json.dumps(data)))


def test_cli_load_list_open_close(runner):
    result = runner.invoke(args=["surveys", "load", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "career-wave: 4 page(s)" in result.output and "version 1 added" in result.output
    again = runner.invoke(args=["surveys", "load", str(EXAMPLE)])
    assert "unchanged" in again.output
    listing = runner.invoke(args=["surveys", "list"])
    assert "career-wave\tdraft\tv1\t0 invited" in listing.output
    assert runner.invoke(args=["surveys", "open", "career-wave"]).exit_code == 0
    refused = runner.invoke(args=["surveys", "open", "career-wave"])
    assert refused.exit_code == 1 and "career-wave is open: it cannot be opened" in refused.output
    assert runner.invoke(args=["surveys", "close", "career-wave"]).exit_code == 0
    assert services.find("career-wave").state == SurveyState.CLOSED
    unknown = runner.invoke(args=["surveys", "close", "no-such-survey"])
    assert unknown.exit_code == 1 and "No survey has the slug" in unknown.output


def test_cli_load_dry_run_loads_nothing(runner):
    result = runner.invoke(args=["surveys", "load", "--dry-run", str(EXAMPLE)])
    assert result.exit_code == 0 and "Dry run, nothing loaded" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Survey)) == 0


def test_cli_load_refuses_a_bad_file_naming_where_and_why(runner, tmp_path):
    data = json.loads(EXAMPLE.read_text("utf-8"))
    data["pages"][0]["items"][2]["relevant"] = "${nonexistent} = 1"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(args=["surveys", "load", str(bad)])
    assert result.exit_code == 1
    assert "$.pages[0].items[2].relevant" in result.output and "nonexistent" in result.output
    assert "nothing was loaded" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyVersion)) == 0


def test_cli_loads_a_redcap_dictionary_by_content_and_reports_skips(runner):
    result = runner.invoke(args=["surveys", "load", REDCAP, "--slug", "alumni-followup",
                                 "--title-en", "Alumni follow-up"])
    assert result.exit_code == 0, result.output
    assert "read as redcap" in result.output and "skipped" in result.output
    assert services.find("alumni-followup").title_en == "Alumni follow-up"


@pytest.mark.parametrize("fmt, name", [("json", "s.json"), ("xlsform", "s.xlsx"),
                                       ("redcap", "s.csv")])
def test_cli_export_definition_round_trips(runner, tmp_path, fmt, name):
    assert runner.invoke(args=["surveys", "load", str(EXAMPLE)]).exit_code == 0
    out = tmp_path / name
    result = runner.invoke(args=["surveys", "export-definition", "career-wave",
                                 "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    back = runner.invoke(args=["surveys", "load", "--dry-run", str(out), "--slug", "career-wave",
                               "--title-en", "Doctoral career tracking survey"])
    assert back.exit_code == 0, back.output
    assert f"read as {fmt}" in back.output


def test_the_administrator_opens_and_closes_from_the_survey_list(client, login, make_survey,
                                                                  make_account):
    survey = make_survey(state="draft")
    admin = make_account(Role.ADMIN)
    login(admin.email)
    listing = client.get("/admin/surveys").get_data(as_text=True)
    assert f"/admin/surveys/{survey.slug}/open" in listing
    assert client.submit(f"/admin/surveys/{survey.slug}/open").status_code == 302
    db.session.refresh(survey)
    assert survey.state == SurveyState.OPEN
    assert _events("survey.open")[0].actor_account_id == admin.id
    client.submit(f"/admin/surveys/{survey.slug}/open")  # refused: already open
    assert "cannot be changed" in client.get("/admin/surveys").get_data(as_text=True)
    client.submit(f"/admin/surveys/{survey.slug}/close")
    db.session.refresh(survey)
    assert survey.state == SurveyState.CLOSED
    assert client.submit("/admin/surveys/no-such-survey/close").status_code == 404


def test_the_survey_page_asks_before_opening_and_closing_and_says_what_it_did(
        client, login, make_survey, make_account):
    survey = make_survey(state="draft")
    login(make_account(Role.ADMIN).email)
    page = client.get(f"/admin/surveys/{survey.slug}").get_data(as_text=True)
    assert "Open this survey" in page and "Close this survey" not in page
    assert 'lang="ja"' in page and "Every page, as respondents see it" in page
    ask = client.get(f"/admin/surveys/{survey.slug}/open")
    assert ask.status_code == 200 and "questions are frozen" in ask.get_data(as_text=True)
    db.session.refresh(survey)
    assert survey.state == SurveyState.DRAFT  # asking changes nothing
    # A form without its CSRF token does nothing either.
    assert client.post(f"/admin/surveys/{survey.slug}/open").status_code in (200, 400)
    db.session.refresh(survey)
    assert survey.state == SurveyState.DRAFT
    done = client.submit(f"/admin/surveys/{survey.slug}/open")
    assert done.headers["Location"].endswith(f"/admin/surveys/{survey.slug}")
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "is now open" in page and "Close this survey" in page
    ask = client.get(f"/admin/surveys/{survey.slug}/open").get_data(as_text=True)
    assert "cannot be changed that way now" in ask and "Open the survey</button>" not in ask
    client.submit(f"/admin/surveys/{survey.slug}/close")
    page = client.get(f"/admin/surveys/{survey.slug}").get_data(as_text=True)
    assert "is now closed" in page and "Open this survey" not in page
    assert [e.action for e in _events("survey.closed")] == ["survey.closed"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.ANALYST, Role.REGISTRANT])
def test_only_administrators_see_a_survey_page_or_move_it(client, login, make_survey,
                                                         make_account, make_registrant,
                                                         make_university, role):
    survey = make_survey(state="draft")
    if role == Role.REGISTRANT:
        login(make_registrant().account.email)
    else:
        login(make_account(role, university=make_university()
                           if role == Role.STAFF else None).email)
    assert client.get(f"/admin/surveys/{survey.slug}").status_code == 403
    assert client.get(f"/admin/surveys/{survey.slug}/open").status_code == 403
    assert client.submit(f"/admin/surveys/{survey.slug}/open").status_code == 403
    db.session.refresh(survey)
    assert survey.state == SurveyState.DRAFT
