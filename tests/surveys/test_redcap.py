"""REDCap data dictionaries: a real-format file loads, skips are reported, refusals, round trips."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from surveys import DefinitionError, load_definition
from surveys.conditions import parse
from surveys.redcap import COLUMNS, export_redcap, load_redcap

from .conftest import question

FIXTURE = Path(__file__).parent / "data" / "alumni_followup_redcap.csv"
TITLE = {"en": "Alumni follow-up"}


def load(text, **kwargs):
    return load_redcap(text, slug="alumni", title=TITLE, **kwargs)


@pytest.fixture(scope="module")
def loaded():
    return load(FIXTURE.read_bytes())


def test_rule5_a_real_redcap_dictionary_loads(loaded):
    survey = loaded.survey
    assert [page.name for page in survey.pages] == ["consent", "demographics", "employment",
                                                     "satisfaction"]
    types = {q.name: q.item.type for q in survey.questions()}
    assert types == {
        "consent_given": "select_one", "email": "text", "sex": "select_one", "age": "integer",
        "birth_date": "date", "employed": "select_one", "sector": "select_one",
        "income": "decimal", "langs": "select_multiple", "langs_other": "text",
        "remote": "select_one", "hours_slider": "integer", "job_search": "long_text",
        "sat_pay": "matrix", "sat_security": "matrix"}
    age = survey.question("age").item
    assert (age.minimum, age.maximum, age.required) == (22, 90, True)
    assert survey.question("income").item.maximum == Decimal("100")
    assert survey.choice_list("yesno").codes() == {0, 1}
    assert [c.code for c in survey.choice_list("sex").choices] == [1, 2, 3, 9]


def test_branching_logic_becomes_conditions(loaded):
    survey = loaded.survey
    relevant = {q.name: str(q.item.relevant) for q in survey.questions() if q.item.relevant}
    assert relevant["income"] == "${employed} = 1 and ${age} > 30"
    assert relevant["langs_other"] == "selected(${langs}, 4)"
    assert relevant["job_search"] == "${employed} = 2 or empty(${employed})"
    assert survey.question("sat_pay").item.relevant.tree == parse("${employed} = 1")


def test_unsupported_fields_are_reported_by_name_and_skipped(loaded):
    skipped = {p.where: p.key for p in loaded.skipped}
    assert skipped == {"record_id": "skip_record_id", "consent_sign": "skip_no_equivalent",
                       "bmi": "skip_no_equivalent", "sat_bmi_note": "skip_depends",
                       "salary_sql": "skip_no_equivalent", "comments": "skip_logic"}
    texts = [p.text("en") for p in loaded.skipped]
    assert "consent_sign: skipped: file (signature) fields have no equivalent here." in texts
    assert any(t.startswith("comments: skipped: the branching logic") for t in texts)
    assert all(p.text("ja") for p in loaded.skipped)
    names = {q.name for q in loaded.survey.questions()}
    assert not names & set(skipped)


def test_approximations_are_reported(loaded):
    notes = {(p.where, p.key) for p in loaded.notes}
    assert notes == {("email", "note_validation"), ("hours_slider", "note_slider"),
                     ("birth_date", "note_date_bounds"), ("sex", "note_section")}
    assert any(q.name == "sh_sex" for q in [*loaded.survey.pages[1].items])


def test_matrix_group_becomes_a_matrix(loaded):
    matrix = loaded.survey.page("satisfaction").items[0]
    assert matrix.type == "matrix" and matrix.name == "satisfaction_grid"
    assert matrix.label.en == "How satisfied are you with..."
    assert [row.name for row in matrix.rows] == ["sat_pay", "sat_security"]


def rows_with(*changes):
    lines = FIXTURE.read_text("utf-8").splitlines()
    for index, line in changes:
        lines[index] = line
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text, where, key", [
    ("name,type,label\nq1,text,Q\n", "row 1", "redcap_not_dictionary"),
    (rows_with((3, 'consent_given,consent,,matrix,"Agree?",,,,,,,,y,,,,,')), "row 4",
     "redcap_unknown_type"),
    (rows_with((3, 'Consent,consent,,yesno,"Agree?",,,,,,,,y,,,,,')), "row 4", "redcap_bad_name"),
    (rows_with((3, 'consent_given,consent,,yesno,"Agree?"')), "row 4", "redcap_columns"),
    (rows_with((6, 'sex,demographics,,radio,"Sex","Female; Male",,,,,,,y,,,,,')), "row 7",
     "redcap_bad_choices"),
    (rows_with((7, 'age,demographics,,text,"Age",,,integer,old,90,,,y,,,,,')), "row 8",
     "redcap_bad_bound"),
    (rows_with((3, 'email,consent,,yesno,"Agree?",,,,,,,,y,,,,,')), "row 6", "duplicate_name"),
    (rows_with((3, 'consent_given,consent,,yesno,"Agree?",,,,,,,,y,,,,,"@JGRAD=[1]"')), "row 4",
     "redcap_bad_annotation"),
    (rows_with((3, "a_very_long_variable_name_that_stata_cannot_hold,consent,,yesno,Q"
                   ",,,,,,,,,,,,,")), "row 4", "redcap_bad_name"),
])
def test_refusals_name_the_row_and_load_nothing(text, where, key):
    with pytest.raises(DefinitionError) as caught:
        load(text)
    assert (where, key) in [(p.where, p.key) for p in caught.value.problems]


def test_every_problem_of_a_bad_file_is_reported():
    text = rows_with((3, 'consent_given,consent,,matrix,"Agree?",,,,,,,,y,,,,,'),
                     (6, 'Sex,demographics,,radio,"Sex","1, F",,,,,,,y,,,,,'))
    with pytest.raises(DefinitionError) as caught:
        load(text)
    assert len(caught.value.problems) == 2


def test_security_baseline_uploads_are_bounded(monkeypatch):
    from surveys import redcap_load

    monkeypatch.setattr(redcap_load, "MAX_ROWS", 5)
    with pytest.raises(DefinitionError) as caught:
        load(FIXTURE.read_bytes())
    assert caught.value.problems[0].key == "too_many_rows"
    monkeypatch.setattr(redcap_load, "MAX_CELL", 30)
    monkeypatch.setattr(redcap_load, "MAX_ROWS", 5000)
    with pytest.raises(DefinitionError) as caught:
        load(FIXTURE.read_bytes())
    assert caught.value.problems[0].key == "cell_too_long"


def test_export_writes_the_18_real_columns(example):
    survey = load_definition(example)
    text, warnings = export_redcap(survey)
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS and len(COLUMNS) == 18
    assert all(len(row) == 18 for row in rows)
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["record_id"][3] == "text"
    assert by_name["move_reasons_other"][11] == "[move_reasons(6)] = '1'"
    assert by_name["sat_pay"][15] == "satisfaction_aspects"
    assert by_name["contract_months"][7:10] == ["integer", "1", "120"]
    assert by_name["sector"][5].startswith("1, University or college | 2, Public research")
    assert warnings == []


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_round_trip_of_the_example(example, lang):
    survey = load_definition(example)
    text, _ = export_redcap(survey, lang=lang)
    back = load_redcap(text, slug=survey.slug, title=example["title"], lang=lang)
    assert back.survey == survey
    assert [p.key for p in back.skipped] == ["skip_record_id"] and back.notes == []


def test_round_trip_of_a_loaded_redcap_file(loaded):
    text, _ = export_redcap(loaded.survey)
    again = load(text)
    assert again.survey == loaded.survey


def test_conditions_redcap_cannot_express_are_kept_and_reported(survey):
    original = survey([question("langs", "select_multiple", choices="scale"),
                       question("many", "text", relevant="count-selected(${langs}) > 1"),
                       question("one", "select_one", choices="yes_no"),
                       question("two", "text", relevant="selected(${one}, 1)")])
    text, warnings = export_redcap(original)
    assert [(p.where, p.key) for p in warnings] == [("many", "redcap_logic_lost")]
    assert load(text).survey.pages == original.pages
