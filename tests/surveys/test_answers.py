"""Answer validation: typed values, and refusals that name the question in the reader's language."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from surveys import load_definition, validate_page, visible
from surveys.career import prefill, writeback
from surveys.answers import question_label
from surveys.messages import MESSAGES, message
from surveys.model import TEXT_LENGTH

from .conftest import question


@pytest.fixture
def every_type(survey):
    return survey([
        question("one", "select_one", choices="yes_no", required=True),
        question("many", "select_multiple", choices="scale"),
        question("short", "text"), question("long", "long_text"),
        question("count", "integer", min=0, max=10),
        question("share", "decimal", min=0, max=Decimal("99.5")),
        question("day", "date"), question("month", "year_month"),
        question("agree", "likert", choices="scale"),
        question("grid", "matrix", choices="scale", required=True, rows=[
            {"name": "grid_a", "label": {"en": "Pay", "ja": "給与"}},
            {"name": "grid_b", "label": {"en": "Hours", "ja": "時間"}}]),
        question("where", "country"), question("info", "note"),
    ])


def test_every_type_gives_a_typed_value(every_type):
    raw = {"one": "1", "many": ["2", "5"], "short": "  Kyoto  ", "long": "a\r\nb",
           "count": "７", "share": "12.25", "day": "2024-02-29", "month": "2023-04",
           "agree": "4", "grid_a": "5", "grid_b": "1", "where": "jp"}
    result = validate_page(every_type, "page1", raw)
    assert result.ok, result.errors
    assert result.values == {
        "one": 1, "many": frozenset({2, 5}), "short": "Kyoto", "long": "a\nb", "count": 7,
        "share": Decimal("12.25"), "day": dt.date(2024, 2, 29), "month": "2023-04",
        "agree": 4, "grid_a": 5, "grid_b": 1, "where": "JP"}


@pytest.mark.parametrize("name, raw, key", [
    ("one", "3", "not_a_choice"), ("one", "x", "not_a_choice"),
    ("one", ["1", "2"], "one_answer_only"),
    ("many", ["1", "9"], "not_a_choice"), ("short", "x" * 201, "too_long"),
    ("long", "x" * 4001, "too_long"), ("count", "1.5", "not_integer"),
    ("count", "11", "above_max"), ("count", "-1", "below_min"), ("share", "abc", "not_decimal"),
    ("share", "99.6", "above_max"), ("share", "NaN", "not_decimal"),
    ("day", "2023-02-30", "not_a_date"), ("day", "20230201", "not_a_date"),
    ("month", "2023-13", "not_a_year_month"), ("agree", "0", "not_a_choice"),
    ("grid_a", "6", "not_a_choice"), ("where", "XX", "not_a_country"),
])
def test_each_refusal_names_the_question(every_type, name, raw, key):
    result = validate_page(every_type, "page1", {"one": "1", "grid_a": "1", "grid_b": "1",
                                                 name: raw})
    assert list(result.errors) == [name]
    found = every_type.question(name)
    for lang in ("en", "ja"):
        result = validate_page(every_type, "page1", {"one": "1", "grid_a": "1", "grid_b": "1",
                                                     name: raw}, lang=lang)
        label = question_label(found, lang)
        assert result.errors[name] == [message(
            key, lang, label=label, limit=TEXT_LENGTH.get(found.item.type),
            min=found.item.minimum, max=found.item.maximum)]
        assert label in result.errors[name][0]
    assert result.values[name] is None


def test_required_questions_and_matrix_rows(every_type):
    result = validate_page(every_type, "page1", {"grid_a": "3"}, lang="ja")
    assert result.errors == {"one": ["「oneの質問」に回答してください。"],
                             "grid_b": ["「gridの質問 / 時間」に回答してください。"]}


def test_integers_accept_grouping_commas_and_full_width_digits(survey):
    loaded = survey([question("n", "integer")])
    assert validate_page(loaded, "page1", {"n": "1,200"}).values["n"] == 1200
    assert validate_page(loaded, "page1", {"n": "１２"}).values["n"] == 12
    assert not validate_page(loaded, "page1", {"n": "1,20"}).ok


def test_constraint_with_custom_and_default_message(survey):
    loaded = survey([
        question("start", "integer"),
        question("end", "integer", constraint=". >= ${start}",
                 constraint_message={"en": "The end cannot be before the start.",
                                     "ja": "終了は開始より前にできません。"}),
        question("even", "integer", constraint=". != 3"),
    ])
    result = validate_page(loaded, "page1", {"start": "2000", "end": "1999", "even": "3"},
                           lang="ja")
    assert result.errors["end"] == ["「endの質問」: 終了は開始より前にできません。"]
    assert result.errors["even"] == ["「evenの質問」のこの回答は受け付けられません。"]
    assert validate_page(loaded, "page1", {"start": "2000", "end": "2001"}).ok


def test_answers_to_hidden_questions_are_refused(survey):
    loaded = survey([question("works", "select_one", choices="yes_no"),
                     question("employer", "text", relevant="${works} = 1", required=True)])
    result = validate_page(loaded, "page1", {"works": "2", "employer": "ACME"})
    assert result.errors == {"employer": [
        "Employer: this question does not apply given your earlier answers, so its answer was "
        "not accepted."]}
    hidden = validate_page(loaded, "page1", {"works": "2"})
    assert hidden.ok and hidden.values == {"works": 2, "employer": None}
    shown = validate_page(loaded, "page1", {"works": "1"})
    assert shown.errors == {"employer": ["Employer: please answer this question."]}


def test_conditions_read_answers_from_earlier_pages(survey):
    loaded = survey([question("works", "select_one", choices="yes_no")],
                    [question("employer", "text", relevant="${works} = 1")])
    refused = validate_page(loaded, "page2", {"employer": "ACME"}, answers={"works": 2})
    assert "employer" in refused.errors
    accepted = validate_page(loaded, "page2", {"employer": "ACME"}, answers={"works": 1})
    assert accepted.ok and accepted.values == {"employer": "ACME"}


def test_a_hidden_question_counts_as_unanswered_for_later_conditions(survey):
    loaded = survey([question("a", "select_one", choices="yes_no"),
                     question("b", "select_one", choices="yes_no", relevant="${a} = 1"),
                     question("c", "text", relevant="${b} = 1")])
    assert not visible(loaded.question("c"), {"a": 2, "b": None})
    result = validate_page(loaded, "page1", {"a": "2", "c": "x"})
    assert list(result.errors) == ["c"]


def test_hidden_page_and_hidden_block(survey):
    loaded = survey([question("works", "select_one", choices="yes_no")],
                    [question("pay", "integer")])
    data_page = load_definition({**_data(loaded), "pages": [
        _data(loaded)["pages"][0],
        {"name": "page2", "relevant": "${works} = 1", "items": [question("pay", "integer")]}]})
    assert "pay" in validate_page(data_page, "page2", {"pay": "3"}, answers={"works": 2}).errors


def _data(survey):
    from surveys import to_dict
    return to_dict(survey)


def test_unknown_fields_are_refused(every_type):
    result = validate_page(every_type, "page1", {"one": "1", "grid_a": "1", "grid_b": "1",
                                                 "admin": "1"})
    assert result.errors == {"admin": ["admin is not a question on this page."]}


def test_career_block_prefill_and_writeback(example):
    survey = load_definition(example)
    spell = {"labour_status": "employed", "sector": "university", "postdoc": True,
             "start_month": dt.date(2023, 4, 1), "employer": "Kyoto University",
             "country": "JP", "contract_months": 36, "income_band": "4to6m"}
    start = prefill(survey, spell)
    assert start == {"labour_status": 1, "sector": 1, "postdoc": 1, "start_month": "2023-04",
                     "employer": "Kyoto University", "country": "JP", "contract_months": 36,
                     "income_band": 3}
    assert writeback(survey, start) == spell
    page = validate_page(survey, "employment", {k: str(v) for k, v in start.items()
                                                if k not in ("contract_months",)})
    assert page.ok, page.errors


def test_every_message_exists_in_both_languages_with_the_same_fields():
    import string

    checked = 0
    for key, (english, japanese) in MESSAGES.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(english) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(japanese) if f}, key
        assert english and japanese and english != japanese
        checked += 1
    assert checked == len(MESSAGES) > 50
