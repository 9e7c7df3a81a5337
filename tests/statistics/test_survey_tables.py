"""Issue 11 / rule 10: closed surveys' coded answers join the release as protected tables."""
import datetime as dt
import json
import secrets
import zipfile

import numpy as np
import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.lifecycle.deletion import delete_registrants
from jgrad.demo.generate import REGISTRANT_PASSWORD, create_registrants, ensure_universities
from jgrad.registrants.models import Enrolment, Registrant
from jgrad.statistics import services
from surveys import load_definition, services as survey_services
from surveys.models import Invitation, InvitationState, Response
from surveys.statistics import survey_answers
from stats.protect import SPARSE_REASON
from tests.stats import check_against_truth
from tests.surveys.conftest import SCALE, YES_NO, question

SECRET = "FREE-TEXT-NEVER-PUBLISHED"
THRESHOLD, BASE = 10, 5
# Completion dates and the cohort band (3 fiscal years from FY2000) they fall in.
COHORTS = {"FY2018-2020": dt.date(2021, 3, 31), "FY2021-2023": dt.date(2023, 9, 30)}


def _definition(slug: str) -> dict:
    return {
        "format": "jgrad-survey", "format_version": 1, "slug": slug, "version": 1,
        "title": {"ja": "テスト調査", "en": "Test survey"},
        "choice_lists": {"yes_no": YES_NO, "scale": SCALE,
                         "reasons": [{"code": c, "label": {"en": f"reason {c}",
                                                           "ja": f"理由{c}"}}
                                     for c in (1, 2, 3)]},
        "pages": [{"name": "page1", "items": [
            question("work", "select_one", choices="yes_no"),
            question("reasons", "select_multiple", choices="reasons",
                     relevant="${work} = 1"),
            question("sat", "likert", choices="scale"),
            {**question("grid", "matrix", choices="scale"),
             "rows": [{"name": "grid_a", "label": {"en": "Row A", "ja": "行A"}}]},
            question("where", "country"),
            question("comment", "long_text"),
            question("age", "integer", min=20, max=90),
            question("since", "date"),
        ]}],
    }


def _answers(i: int) -> dict:
    """Return the i-th respondent's answers: a fixed, known pattern."""
    answers = {"comment": f"{SECRET} {i}", "age": 30 + i % 40, "since": "2024-04-01",
               "where": "JP" if i % 4 else "US", "sat": 1 + i % 3, "grid_a": 1 + i % 2}
    if i % 10 == 9:
        return {"comment": answers["comment"]}  # shown everything, answered nearly nothing
    answers["work"] = 1 if i % 3 else 2
    if answers["work"] == 1:
        answers["reasons"] = [1] if i % 2 else [1, 2]
    return answers


@pytest.fixture
def closed_survey(app):
    """Respondents in two cohorts answer a survey that is then closed; return the truth.

    Most registrants of each cohort did not respond, as in life (and as the respondents'
    share of their cohort is published, a handful of non-respondents would hide it).
    """
    ensure_universities()
    create_registrants(300, seed=11)
    ids = list(db.session.scalars(sa.select(Registrant.id).order_by(Registrant.id)))
    survey, _ = survey_services.store(load_definition(_definition("closed-test")))
    survey.open()
    db.session.commit()
    truth, people, start = [], [], 0
    for i, (band, size) in enumerate([("FY2018-2020", 48), ("FY2021-2023", 14)]):
        cohort = ids[start:start + size + 4 + 50]  # 4 only start; 50 are not asked
        start += len(cohort)
        db.session.execute(sa.update(Enrolment).where(Enrolment.registrant_id.in_(cohort))
                           .values(status="degree_awarded", status_date=COHORTS[band]))
        for j, person_id in enumerate(cohort[:size + 4]):
            submitted = j < size  # the last four only start: partial answers do not count
            answers = _answers(j + 100 * i)
            _respond(survey, person_id, answers, submitted)
            if submitted:
                truth.append((band, answers))
            people.append(person_id)
    survey.close()
    db.session.commit()
    return survey, truth, people


def _respond(survey, registrant_id: int, answers: dict, submitted: bool) -> None:
    at = utcnow() - dt.timedelta(hours=1)
    invitation = Invitation(survey_id=survey.id, registrant_id=registrant_id,
                            token_hash=secrets.token_hex(32), last_mailed_at=at,
                            state=InvitationState.SUBMITTED if submitted
                            else InvitationState.STARTED, submitted_at=at if submitted else None)
    db.session.add(invitation)
    db.session.flush()
    db.session.add(Response(invitation_id=invitation.id, registrant_id=registrant_id,
                            survey_version_id=survey.current_version.id,
                            answers_json=json.dumps(answers), page_reached=1,
                            submitted_at=at if submitted else None))
    db.session.flush()


def _true_count(truth, band: str, variable: str, code: str) -> int:
    """Count by hand what a survey table's cell must count."""
    def coded(answers):
        if variable.startswith("reasons___"):
            if "reasons" in answers:
                return "1" if int(variable.split("___")[1]) in answers["reasons"] else "0"
            return "No answer" if answers.get("work") == 1 else "Not applicable"
        value = answers.get(variable)
        if variable == "where" and value is not None:
            return "JP" if value == "JP" else "other"
        return "No answer" if value is None else str(value)
    return sum(1 for b, answers in truth if band in (None, b) and coded(answers) == code)


def _release(tmp_path):
    release, previous = services.build(utcnow())
    row = services.store(release, previous, out=tmp_path / "files")
    return release, row


def _published_cells_match_the_true_counts_and_small_cells_are_hidden(release, truth):
    base = "survey.closed-test.v1"
    ids = {t for t in release.tables if t.startswith(base)}
    expected = {f"{base}.{v}" for v in ("work", "sat", "grid_a", "where", "reasons___1",
                                        "reasons___2", "reasons___3")}
    assert ids == expected, "text, numbers and dates make no table; the audit-only one is not"
    checked = published = 0
    for table_id in sorted(expected):
        variable = table_id.rsplit(".", 1)[1]

        def exact(band, code):
            if code == "Total":
                return sum(1 for b, _answers in truth if band in ("Total", b))
            return _true_count(truth, None if band == "Total" else band, variable, code)
        if release.tables[table_id].withheld == SPARSE_REASON:
            continue  # its own rules would hide most of it: nothing of it is published
        counted = check_against_truth(release.tables[table_id], exact, (*COHORTS, "Total"),
                                      THRESHOLD, BASE)
        checked, published = checked + counted[0], published + counted[1]
    # The rarer answers' tables are withheld whole as sparse; the rest are checked cell by cell.
    assert checked > 60 and published > 5, (checked, published)
    work = release.tables[f"{base}.work"]
    assert list(work.counts.columns) == ["1", "2", "Not applicable", "No answer", "Total"]
    # Row totals are every respondent of the cohort, whatever they answered: the same
    # people, so the same figure in every table (rounded at random: 60 or 65 for 62).
    totals = {int(release.tables[t].counts.loc["Total", "Total"]) for t in expected
              if not release.tables[t].withheld}
    assert len(totals) == 1 and abs(totals.pop() - len(truth)) < BASE, totals


def _a_multiple_choice_question_is_one_table_per_option(release, truth):
    table = release.tables["survey.closed-test.v1.reasons___2"]
    assert list(table.counts.columns) == ["1", "0", "Not applicable", "No answer", "Total"]
    assert table.spec.texts.title == ("Test survey: Reasons: reason 2",
                                      "テスト調査：reasonsの質問：理由2")
    assert _true_count(truth, None, "reasons___2", "Not applicable") >= THRESHOLD
    selected = [_true_count(truth, None, f"reasons___{code}", "1") for code in (1, 2, 3)]
    assert selected[0] > selected[1] > 0 == selected[2]  # options count on their own


def _free_text_never_leaves_and_open_surveys_contribute_nothing(release, row, tmp_path):
    assert not [t for t in release.tables if "open-test" in t]
    assert [s["slug"] for s in row.meta["surveys"]] == ["closed-test"]
    folder = services.folder_of(row)
    files = [p for p in (*folder.rglob("*"), *(tmp_path / "files").rglob("*")) if p.is_file()]
    assert {p.parent.name for p in files} >= {"en", "ja"}  # every language searched
    assert any(p.name.startswith("survey.closed-test") for p in files)
    searched = 0
    for path in files:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                blobs = [book.read(name) for name in book.namelist()]
        else:
            blobs = [path.read_bytes()]
        for blob in blobs:
            searched += 1
            assert SECRET.encode() not in blob, path.name
            assert b"open-test" not in blob, path.name
    assert searched > 20


def test_closed_survey_answers_join_the_release_as_protected_tables(
        closed_survey, make_registrant, tmp_path, client, login, make_account,
        make_university):
    """One release (building one takes seconds) serves every check of an analyst's view."""
    _survey, truth, people = closed_survey
    still_open, _ = survey_services.store(load_definition(_definition("open-test")))
    still_open.open()
    _respond(still_open, people[0], {"work": 1, "comment": SECRET}, submitted=True)
    db.session.commit()
    release, row = _release(tmp_path)
    _published_cells_match_the_true_counts_and_small_cells_are_hidden(release, truth)
    _a_multiple_choice_question_is_one_table_per_option(release, truth)
    _free_text_never_leaves_and_open_surveys_contribute_nothing(release, row, tmp_path)
    _analysts_see_survey_tables_and_other_roles_cannot(
        row.id, people[5], client, login, make_account, make_university)


def test_a_closed_survey_with_few_respondents_hides_every_cell(make_registrant, tmp_path):
    survey, _ = survey_services.store(load_definition(_definition("tiny")))
    survey.open()
    for i in range(3):
        _respond(survey, make_registrant().id, _answers(i), submitted=True)
    survey.close()
    db.session.commit()
    release, _row = _release(tmp_path)
    tables = [t for tid, t in release.tables.items() if tid.startswith("survey.tiny.v1.")]
    assert len(tables) == 7
    for table in tables:
        assert table.withheld or (table.flags.to_numpy() != "").all(), table.spec.id


def test_deleted_and_suspended_respondents_leave_the_next_release(closed_survey):
    survey, truth, people = closed_survey
    before = survey_answers(utcnow())[0].answers
    assert len(before) == len(truth) == 62
    gone, suspended = people[0], db.session.get(Registrant, people[1])
    delete_registrants([gone], "requested")
    suspended.account.suspend(reason="deletion_requested")
    db.session.commit()
    after = survey_answers(utcnow())[0].answers
    assert set(before["pid"]) - set(after["pid"]) == {gone, suspended.id}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response).where(
        Response.registrant_id == gone)) == 0
    # Nothing of a respondent leaves but their key and answer codes.
    assert set(after.columns) == {"pid", "work", "sat", "grid_a", "where", "reasons___1",
                                  "reasons___2", "reasons___3"}
    assert not np.isin(after.drop(columns="pid").to_numpy(dtype=str), [SECRET]).any()


def _analysts_see_survey_tables_and_other_roles_cannot(
        row_id, respondent_id, client, login, make_account, make_university):
    table_path = f"/stats/{row_id}/tables/survey.closed-test.v1.work"
    files = [f"/stats/{row_id}/files/survey.closed-test.v1.work.{ext}"
             for ext in ("csv", "xlsx", "svg")]
    assert client.get(table_path).status_code == 302  # logged out: to the log-in page
    staff_university = make_university()
    make_account(role=Role.STAFF, email="staff@example.org", university=staff_university)
    login("staff@example.org")
    assert client.get(table_path).status_code == 403
    assert client.get(files[0]).status_code == 403
    client.submit("/logout", {})
    respondent = db.session.get(Registrant, respondent_id)
    login(respondent.account.email, REGISTRANT_PASSWORD)
    assert client.get(table_path).status_code == 403
    client.submit("/logout", {})
    make_account(role=Role.ANALYST, email="analyst@example.org")
    login("analyst@example.org")
    page = client.get(f"/stats/{row_id}").get_data(as_text=True)
    assert "Closed surveys" in page and "Test survey" in page and table_path in page
    shown = client.get(table_path).get_data(as_text=True)
    assert "Test survey: Work" in shown and "Not applicable" in shown
    assert "partial responses do not count" in shown
    japanese = client.get(table_path, headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "テスト調査：workの質問" in japanese and "非該当" in japanese
    for path in files:
        response = client.get(path)
        assert response.status_code == 200, path
        assert SECRET.encode() not in response.data
    assert client.get(f"/stats/{row_id}/tables/survey.open-test.v1.work").status_code == 404
