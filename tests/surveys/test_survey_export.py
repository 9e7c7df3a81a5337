"""Export of raw responses (issue 11): CSV with a codebook, SPSS .sav and Stata .dta with
variable and value labels, multiple choice as var___code 0/1 columns, missing answers coded
-1 not applicable / -9 no answer; every export is audited (security baseline)."""
import csv
import datetime as dt
import io
import zipfile

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from surveys import responding
from surveys.invitations import invite
from surveys.models import Invitation

AT_WAVE = dt.datetime(2022, 9, 30, 3, 0, tzinfo=dt.timezone.utc)
PAGE1 = {"labour_status": "3"}  # seeking work: the employment questions are not applicable
PAGE2 = {"job_changes": "2", "move_reasons": ["1", "6"], "move_reasons_other": "Family",
         "moved_abroad": "1"}
PAGE4 = {"intention_next": "2"}


@pytest.fixture
def responded(make_survey, make_registrant):
    """One submitted response (seeking work, moved twice) and one person who only opened it."""
    survey = make_survey()
    complete, opened = make_registrant(), make_registrant()
    invite(survey, AT_WAVE)
    for person, pages in ((complete, (PAGE1, PAGE2, PAGE4)), (opened, ())):
        invitation = db.session.scalar(
            sa.select(Invitation).where(Invitation.registrant_id == person.id))
        response = responding.response_for(invitation, AT_WAVE)
        definition = responding.definition_of(response)
        shown = responding.shown_pages
        for raw in pages:
            page = next(p for p in shown(definition, response.answers)
                        if any(q.name in raw for q in definition.questions(p)))
            result = responding.save_page(invitation, response, page, raw, response.version,
                                          lang="en", now=AT_WAVE)
            assert result.ok, result.errors
        if pages:
            responding.submit(invitation, response, update_career=False, now=AT_WAVE)
        db.session.commit()
    return survey, complete, opened


def _read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_export_with_codebook_and_missing_codes(runner, responded, tmp_path):
    survey, complete, opened = responded
    result = runner.invoke(args=["surveys", "export", survey.slug, "--format", "csv",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Exported 2 response(s)" in result.output
    rows = {r["doctor_id"]: r for r in _read_csv((tmp_path / "career-wave.csv").read_text())}
    done = rows[complete.doctor_id]
    assert done["complete"] == "1" and done["labour_status"] == "3"
    assert done["sector"] == "-1"  # hidden by the labour status: not applicable
    assert (done["move_reasons___1"], done["move_reasons___2"], done["move_reasons___6"]) == (
        "1", "0", "1")
    assert done["move_reasons_other"] == "Family" and done["satisfaction_overall"] == "-1"
    assert done["intention_next"] == "2"
    started = rows[opened.doctor_id]
    assert started["complete"] == "0" and started["labour_status"] == "-9"  # no answer
    codebook = {r["variable"]: r for r in
                _read_csv((tmp_path / "career-wave_codebook.csv").read_text())}
    assert codebook["labour_status"]["label_ja"] and "1=Employed" in codebook[
        "labour_status"]["value_codes_en"]
    assert "1=" in codebook["labour_status"]["value_codes_ja"]
    assert "Employed" not in codebook["labour_status"]["value_codes_ja"]
    assert codebook["labour_status"]["missing_codes_en"] == "Not applicable=-1; No answer=-9"
    assert codebook["labour_status"]["missing_codes_ja"] == "非該当=-1; 無回答=-9"
    assert codebook["move_reasons___6"]["type"] == "numeric"
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "survey.responses_exported"))
    assert event.details == {"slug": "career-wave", "format": "csv", "rows": 2}


def test_sav_is_read_back_with_its_labels(runner, responded, tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    survey, complete, _opened = responded
    result = runner.invoke(args=["surveys", "export", survey.slug, "--format", "sav",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_sav(str(tmp_path / "career-wave.sav"),
                                      user_missing=True)
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["labour_status"].startswith("Which best describes your current situation")
    assert meta.variable_value_labels["labour_status"][3.0] == "Not employed, seeking work"
    assert meta.variable_value_labels["labour_status"][-1.0] == "Not applicable"
    row = frame[frame["doctor_id"] == complete.doctor_id].iloc[0]
    assert row["labour_status"] == 3 and row["move_reasons___6"] == 1


def test_dta_is_read_back_with_its_labels(runner, responded, tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    survey, _complete, _opened = responded
    result = runner.invoke(args=["surveys", "export", survey.slug, "--format", "dta",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_dta(str(tmp_path / "career-wave.dta"))
    assert len(frame) == 2
    assert dict(zip(meta.column_names, meta.column_labels))["complete"] == "Submitted"
    assert meta.variable_value_labels["intention_next"][-9] == "No answer"


def test_the_admin_download_is_audited_and_refused_to_others(client, login, responded,
                                                             make_account, make_university):
    survey, _complete, _opened = responded
    admin = make_account(Role.ADMIN)
    login(admin.email)
    download = client.get(f"/admin/surveys/{survey.slug}/responses.zip")
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert names == ["career-wave.csv", "career-wave_codebook.csv"]
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "survey.responses_exported"))
    assert event.actor_account_id == admin.id
    per_person = db.session.scalars(sa.select(AuditEvent.subject_registrant_id).where(
        AuditEvent.action == "record.exported")).all()
    assert len(per_person) == 2
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    login(make_account(Role.STAFF, university=make_university()).email)
    assert client.get(f"/admin/surveys/{survey.slug}/responses.zip").status_code == 403


def test_saved_answers_read_back_typed_for_conditions_on_later_pages(responded):
    """A multiple choice saved as JSON is a code set again, so selected() holds after a save."""
    from surveys.answers import visible
    from surveys.models import Response

    _survey, complete, _opened = responded
    response = db.session.scalar(sa.select(Response).where(
        Response.registrant_id == complete.id))
    definition = responding.definition_of(response)
    typed = response.typed_answers(definition)
    assert typed["move_reasons"] == frozenset({1, 6})
    assert response.answers["move_reasons"] == [1, 6]
    assert visible(definition.question("move_reasons_other"), typed)
    assert not visible(definition.question("move_reasons_other"), response.answers)
