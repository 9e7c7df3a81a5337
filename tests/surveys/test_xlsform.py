"""XLSForm: a workbook built here loads; refusals name the sheet and row; reading is bounded."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from surveys import DefinitionError, load_definition
from surveys.xlsform import export_xlsform, load_xlsform


def workbook(survey_rows, choice_rows=(), settings=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey_rows:
        sheet.append(list(row))
    choices = book.create_sheet("choices")
    for row in choice_rows:
        choices.append(list(row))
    if settings:
        sheet = book.create_sheet("settings")
        for row in settings:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ("type", "name", "label::English (en)", "label::Japanese (ja)", "hint::en", "required",
          "relevant", "constraint", "constraint_message::en", "appearance", "parameters")
CHOICES = [("list_name", "name", "label::en", "label::ja"),
           ("yn", 1, "Yes", "はい"), ("yn", 2, "No", "いいえ"),
           ("agree", 1, "Disagree", "そう思わない"), ("agree", 2, "Neutral", "どちらでもない"),
           ("agree", 3, "Agree", "そう思う")]
FORM = [
    HEADER,
    ("begin group", "work", "Work", "仕事", None, None, None, None, None, "field-list"),
    ("note", "intro", "About your work", "お仕事について"),
    ("select_one yn", "employed", "Employed?", "就業していますか", None, "yes"),
    ("integer", "hours", "Hours a week", "週の労働時間", "0 to 80", "true()",
     "${employed} = 1", ". != 13", "Not 13", None, "min=0 max=80"),
    ("decimal", "share", "Research share", "研究の割合", None, None, None, None, None, None,
     "max=100"),
    ("text", "story", "Your story", "経緯", None, None, None, None, None, "multiline"),
    ("text", "country", "Country", "国", None, None, None, None, None, "country"),
    ("date", "since", "Since", "開始年月", None, None, None, None, None, "month-year"),
    ("date", "born", "Born", "生年月日"),
    ("select_multiple yn", "both", "Both?", "両方"),
    ("end group",),
    ("begin group", "views", "Views", "意見", None, None, "${employed} = 1"),
    ("select_one agree", "overall", "Overall", "全体", None, None, None, None, None, "likert"),
    ("begin group", "grid", "Agree?", "同意", None, None, None, None, None, "table-list"),
    ("select_one agree", "grid_a", "A", "A"),
    ("select_one agree", "grid_b", "B", "B"),
    ("end group",),
    ("geopoint", "where", "Where are you?", "現在地"),
    ("calculate", "calc1"),
    ("end group",),
    ("text", "loose", "A question outside any group", "グループ外の質問"),
]


def test_rule5_an_xlsform_built_here_loads_with_every_construct():
    loaded = load_xlsform(workbook(FORM, CHOICES, [("form_id", "version", "form_title"),
                                                   ("work_survey", 3, "Work survey")]))
    survey = loaded.survey
    assert (survey.slug, survey.version, survey.title.en) == ("work-survey", 3, "Work survey")
    assert [p.name for p in survey.pages] == ["work", "views", "page3"]
    types = {q.name: q.item.type for q in survey.questions()}
    assert types == {"employed": "select_one", "hours": "integer", "share": "decimal",
                     "story": "long_text", "country": "country", "since": "year_month",
                     "born": "date", "both": "select_multiple", "overall": "likert",
                     "grid_a": "matrix", "grid_b": "matrix", "loose": "text"}
    hours = survey.question("hours").item
    assert (hours.minimum, hours.maximum, hours.required) == (0, 80, True)
    assert str(hours.relevant) == "${employed} = 1" and str(hours.constraint) == ". != 13"
    assert survey.page("work").title.ja == "仕事"
    assert str(survey.page("views").relevant) == "${employed} = 1"
    assert [(p.where, p.key) for p in loaded.skipped] == [
        ("where", "skip_no_equivalent"), ("calc1", "skip_no_equivalent")]


def test_round_trip_of_the_example(example):
    survey = load_definition(example)
    assert load_xlsform(export_xlsform(survey)).survey == survey


def test_export_has_the_xlsform_sheets_and_columns(example):
    book = load_workbook(io.BytesIO(export_xlsform(load_definition(example))), read_only=True)
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = next(book["survey"].iter_rows(values_only=True))
    assert {"type", "name", "label::en", "label::ja", "relevant", "prefill"} <= set(header)
    types = [row[0] for row in book["survey"].iter_rows(min_row=2, values_only=True)]
    assert "select_one sector" in types and types.count("begin group") == types.count("end group")


def test_a_label_that_looks_like_a_formula_stays_text(survey):
    from .conftest import question

    loaded = survey([question("q", "text", label={"en": "=HYPERLINK(\"x\")"})])
    data = export_xlsform(loaded)
    sheet = load_workbook(io.BytesIO(data))["survey"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert load_xlsform(data).survey == loaded


@pytest.mark.parametrize("rows, choices, where, key", [
    ([HEADER, ("select_one yn", "q", "Q")], [CHOICES[0], ("yn", "y", "Yes")], "choices!2",
     "xlsform_bad_code"),
    ([HEADER, ("slider", "q", "Q")], CHOICES, "survey!2", "xlsform_unknown_type"),
    ([HEADER, ("begin group", "p", "P"), ("begin group", "g", "G"), ("end group",),
      ("end group",)], CHOICES, "survey!3", "xlsform_nested_group"),
    ([HEADER, ("begin group", "p", "P"), ("text", "q", "Q")], CHOICES, "survey",
     "xlsform_unbalanced"),
    ([HEADER, ("end group",)], CHOICES, "survey!2", "xlsform_unbalanced"),
    ([HEADER, ("begin group", "p", "P"), ("begin group", "m", "M", None, None, None, None, None,
                                          None, "table-list"),
      ("text", "q", "Q"), ("end group",), ("end group",)], CHOICES, "survey!4",
     "xlsform_matrix_row"),
    ([HEADER, ("integer", "q", "Q", None, None, None, None, None, None, None, "min=x")],
     CHOICES, "survey!2", "redcap_bad_bound"),
])
def test_refusals_name_sheet_and_row(rows, choices, where, key):
    with pytest.raises(DefinitionError) as caught:
        load_xlsform(workbook(rows, choices))
    assert (where, key) in [(p.where, p.key) for p in caught.value.problems]


def test_definition_problems_surface_with_json_paths():
    with pytest.raises(DefinitionError) as caught:
        load_xlsform(workbook([HEADER, ("text", "q", "Q", None, None, None, "${zz} = 1")],
                              CHOICES), slug="s")
    assert caught.value.problems[0].key == "variable_unknown"


def test_not_a_workbook_or_no_survey_sheet():
    with pytest.raises(DefinitionError) as caught:
        load_xlsform(b"PK\x03\x04 not really a zip")
    assert caught.value.problems[0].key == "xlsform_not_workbook"
    book = Workbook()
    book.active.title = "questions"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(DefinitionError) as caught:
        load_xlsform(out.getvalue())
    assert caught.value.problems[0].key == "xlsform_no_survey"


def test_security_baseline_xlsform_reading_is_bounded(monkeypatch):
    from surveys import xlsform_load

    many = [HEADER] + [("text", f"q{i}", f"Q{i}") for i in range(30)]
    monkeypatch.setattr(xlsform_load, "MAX_ROWS", 10)
    with pytest.raises(DefinitionError) as caught:
        load_xlsform(workbook(many, CHOICES), slug="s")
    assert caught.value.problems[0].key == "too_many_rows"
    monkeypatch.setattr(xlsform_load, "MAX_ROWS", 5000)
    wide = [HEADER, ("text", "q", "Q") + (None,) * 70 + ("far away",)]
    with pytest.raises(DefinitionError) as caught:
        load_xlsform(workbook(wide, CHOICES), slug="s")
    assert caught.value.problems[0].key == "too_many_columns"
    monkeypatch.setattr(xlsform_load, "MAX_CELL", 5)
    with pytest.raises(DefinitionError) as caught:
        load_xlsform(workbook([HEADER, ("text", "q", "A long label")], CHOICES), slug="s")
    assert caught.value.problems[0].key == "cell_too_long"
