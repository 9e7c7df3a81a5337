"""Definitions: the schema and the rules beyond it, each refusal with its JSON path."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from surveys import DefinitionError, load_definition, load_json, to_dict, to_json
from surveys.career import FIELDS
from surveys.model import ITEM_TYPES

from .conftest import question


def refusals(data) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as caught:
        load_definition(data)
    return [(p.where, p.key) for p in caught.value.problems]


def test_rule5_the_example_wave_loads_with_every_kind_of_item(example):
    survey = load_definition(example)
    types = {item.type for page in survey.pages for item in page.items}
    types |= {sub.type for page in survey.pages for item in page.items for sub in item.items}
    assert {"career", "matrix", "likert", "note", "select_multiple", "date", "year_month",
            "country", "integer", "decimal", "long_text", "text", "select_one"} <= types
    assert survey.slug == "career-wave" and len(survey.pages) == 4


def test_every_question_type_loads(survey):
    items = [
        question("one", "select_one", choices="yes_no"),
        question("many", "select_multiple", choices="yes_no"),
        question("short", "text"), question("long", "long_text"),
        question("count", "integer", min=0, max=10),
        question("share", "decimal", min=0, max=Decimal("99.5")),
        question("day", "date"), question("month", "year_month"),
        question("agree", "likert", choices="scale"),
        question("grid", "matrix", choices="scale", rows=[
            {"name": "grid_a", "label": {"en": "A"}}, {"name": "grid_b", "label": {"ja": "B"}}]),
        question("where", "country"), question("info", "note"),
        question("job", "career", items=[
            question("sector", "select_one", choices="sector",
                     prefill="career.current.sector", writeback="career.current.sector")]),
    ]
    sector = [{"code": 1, "label": {"en": "University"}, "value": "university"},
              {"code": 2, "label": {"en": "Company"}, "value": "company"}]
    loaded = survey(items, choice_lists={"sector": sector})
    assert sorted(item.type for item in loaded.pages[0].items) == sorted(ITEM_TYPES)
    names = [q.name for q in loaded.questions()]
    assert names == ["one", "many", "short", "long", "count", "share", "day", "month", "agree",
                     "grid_a", "grid_b", "where", "sector"]
    assert loaded.pages[0].items[5].maximum == Decimal("99.5")


def test_json_round_trip_of_the_example(example):
    survey = load_definition(example)
    assert load_json(to_json(survey)) == survey
    assert load_definition(to_dict(survey)) == survey


def test_malformed_json_is_refused():
    with pytest.raises(DefinitionError) as caught:
        load_json("{not json")
    assert caught.value.problems[0].key == "not_json"


def test_schema_problems_are_all_reported_with_paths(definition):
    data = definition([
        question("Bad-Name", "text"),
        {"name": "nolabel", "type": "text"},
        question("colour", "select_one"),
        question("ok", "text", choices="yes_no", extra=1),
        question("kind", "slider"),
        question("n", "text", min=3),
        question("note1", "note", required=True),
    ])
    data["version"] = 0
    found = refusals(data)
    assert ("$.pages[0].items[0].name", "bad_name") in found
    assert ("$.pages[0].items[1]", "missing_property") in found
    assert ("$.pages[0].items[2]", "missing_property") in found
    assert ("$.pages[0].items[3]", "unknown_property") in found
    assert ("$.pages[0].items[3]", "property_not_allowed") in found
    assert ("$.pages[0].items[4].type", "not_one_of") in found
    assert ("$.pages[0].items[5]", "property_not_allowed") in found
    assert ("$.pages[0].items[6].required", "not_one_of") in found
    assert ("$.version", "too_small") in found


def test_wrong_format_and_missing_pages(definition):
    data = definition([question("a", "text")])
    data["format_version"] = 2
    del data["pages"]
    found = refusals(data)
    assert ("$.format_version", "not_one_of") in found and ("$", "missing_property") in found


@pytest.mark.parametrize("items, lists, where, key", [
    ([question("a", "text"), question("a", "integer")], {}, "$.pages[0].items[1].name",
     "duplicate_name"),
    ([question("m", "matrix", choices="scale", rows=[{"name": "m", "label": {"en": "x"}}])], {},
     "$.pages[0].items[0].rows[0].name", "duplicate_name"),
    ([question("a", "select_one", choices="nope")], {}, "$.pages[0].items[0].choices",
     "unknown_choice_list"),
    ([question("a", "select_one", choices="dup")],
     {"dup": [{"code": 1, "label": {"en": "x"}}, {"code": 1, "label": {"en": "y"}}]},
     "$.choice_lists.dup[1].code", "duplicate_code"),
    ([question("a", "likert", choices="yes_no")], {}, "$.pages[0].items[0].choices",
     "likert_scale"),
    ([question("a", "integer", min=5, max=1)], {}, "$.pages[0].items[0].min", "min_above_max"),
    ([question("a", "text", relevant="${b} = 'x'"), question("b", "text")], {},
     "$.pages[0].items[0].relevant", "variable_later"),
    ([question("a", "text", relevant="${zz} = 'x'")], {}, "$.pages[0].items[0].relevant",
     "variable_unknown"),
    ([question("a", "integer", constraint=". > ")], {}, "$.pages[0].items[0].constraint",
     "syntax_unexpected_end"),
    ([question("a", "integer", constraint="${a} > 1")], {}, "$.pages[0].items[0].constraint",
     "variable_later"),
    ([question("a", "text", prefill="career.current.employer")], {},
     "$.pages[0].items[0].prefill", "mapping_outside_career"),
])
def test_semantic_refusals(definition, items, lists, where, key):
    assert (where, key) in refusals(definition(items, choice_lists=lists))


def test_condition_problems_carry_the_position(definition):
    data = definition([question("a", "integer"),
                       question("b", "text", relevant="${a} > 1 and ${c} = 2")])
    with pytest.raises(DefinitionError) as caught:
        load_definition(data)
    problem = caught.value.problems[0]
    assert problem.params["position"] == 13
    assert problem.text("en") == ("$.pages[0].items[1].relevant: ${c} is not a question of this "
                                  "survey. (at character 14)")
    assert "14 文字目" in problem.text("ja")


def test_later_page_variable_refused_in_page_condition(definition):
    data = definition([question("a", "integer")], [question("b", "integer")])
    data["pages"][0]["relevant"] = "${b} > 1"
    assert ("$.pages[0].relevant", "variable_later") in refusals(data)
    data["pages"][0]["relevant"] = "true"
    data["pages"][1]["relevant"] = "${a} > 1"
    assert load_definition(data).pages[1].relevant is not None


def career_block(*items):
    return question("job", "career", items=list(items))


SECTOR = {"sector": [{"code": 1, "label": {"en": "University"}, "value": "university"},
                     {"code": 2, "label": {"en": "Space"}, "value": "space"}]}


@pytest.mark.parametrize("item, where, key", [
    (question("s", "select_one", choices="yes_no"), "$.pages[0].items[0].items[0]",
     "career_item_unmapped"),
    (question("s", "text", prefill="career.current.salary"),
     "$.pages[0].items[0].items[0].prefill", "unknown_career_field"),
    (question("s", "integer", writeback="career.current.employer"),
     "$.pages[0].items[0].items[0].type", "career_type"),
    (question("s", "select_one", choices="sector", writeback="career.current.sector"),
     "$.choice_lists.sector[1].value", "career_value"),
    (question("s", "career", items=[question("t", "text", writeback="career.current.employer")]),
     "$.pages[0].items[0].items[0].type", "career_in_career"),
])
def test_career_block_refusals(definition, item, where, key):
    assert (where, key) in refusals(definition([career_block(item)], choice_lists=SECTOR))


def test_two_items_cannot_write_one_career_field(definition):
    data = definition([career_block(
        question("e1", "text", writeback="career.current.employer"),
        question("e2", "text", writeback="career.current.employer"))])
    assert ("$.pages[0].items[0].items[1].writeback", "duplicate_writeback") in refusals(data)


def test_career_fields_are_real_career_spell_columns():
    from jgrad.registrants.models import CareerSpell

    columns = set(CareerSpell.__table__.columns.keys())
    checked = 0
    for name, career_field in FIELDS.items():
        assert name == "career.current." + career_field.column
        assert career_field.column in columns
        checked += 1
    assert checked >= 14


def test_all_problems_are_collected_not_just_the_first(definition):
    data = definition([question("a", "select_one", choices="nope"),
                       question("b", "integer", min=3, max=1),
                       question("c", "text", relevant="${zz} = 1")])
    assert len(refusals(data)) == 3


def test_example_file_is_valid_json_schema_instance(example):
    from jsonschema import Draft202012Validator

    from surveys.definition import schema

    Draft202012Validator.check_schema(schema())
    assert list(Draft202012Validator(schema()).iter_errors(example)) == []
    assert json.loads(json.dumps(example)) == example
