"""The conditions as the answering page's script gets them: the syntax tree's JSON form
(every node type round-trips), the typed answers' JSON form, and what one page carries."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import given, settings

from surveys import load_definition
from surveys.client import encode, encode_answers, page_logic, variables
from surveys.conditions import parse
from surveys.evaluate import evaluate, from_json, to_json
from surveys.syntax import And, Call, Compare, Literal, Not, Or, Self, Var
from tests.surveys.strategies import KINDS, condition_tree

EVERY_NODE = [
    Literal(3), Literal(-2), Literal(Decimal("2.50")), Literal("it's"), Literal(True),
    Literal(False), Literal(None), Literal(2 ** 60), Var("age"), Self(),
    Compare("<=", Var("age"), Literal(3)), And((Literal(True), Var("x"))),
    Or((Literal(False), Literal(True), Var("y"))), Not(Var("z")),
    Call("selected", Var("q"), 2), Call("empty", Var("q")), Call("count-selected", Var("q")),
]


def test_every_node_type_round_trips_through_plain_json():
    for node in EVERY_NODE:
        form = json.loads(json.dumps(to_json(node)))  # plain JSON, no Python types left
        assert from_json(form) == node, node
    assert to_json(Literal(2 ** 60)) == {"dec": str(2 ** 60)}  # past a double's integers
    assert to_json(Literal(2 ** 53)) == {"lit": 2 ** 53}


@settings(max_examples=200)
@given(condition_tree(self_kind="number"))
def test_generated_trees_round_trip_and_keep_their_meaning(tree):
    back = from_json(json.loads(json.dumps(to_json(tree))))
    assert back == tree
    answers = {"n": 2, "d": Decimal("1.5"), "c": 1, "m": frozenset({2}), "t": "a",
               "dt": dt.date(2000, 1, 1), "ym": "2000-01"}
    assert evaluate(back, answers, 3) == evaluate(tree, answers, 3)


def test_answers_travel_typed():
    assert encode("number", Decimal("1E-7")) == "1E-7"
    assert encode("number", 12) == "12"
    assert encode("code", 2) == 2
    assert encode("multi", frozenset({3, 1})) == [1, 3]
    assert encode("date", dt.date(2020, 2, 29)) == "2020-02-29"
    assert encode("text", None) is None
    assert encode_answers(KINDS, {"t": "x", "unknown": 1}) == {"t": "x"}


def test_a_date_literal_is_only_year_month_day():
    # A week date would pass fromisoformat; the page script (and the docs) know one form.
    assert evaluate(parse("${d} = '2020-W01-1'"), {"d": dt.date(2019, 12, 30)}) is False
    assert evaluate(parse("${d} = '2019-12-30'"), {"d": dt.date(2019, 12, 30)}) is True


def test_a_page_carries_its_questions_conditions_and_the_earlier_answers_it_reads(example):
    definition = load_definition(example)
    mobility = definition.page("mobility")
    logic = page_logic(definition, mobility,
                       {"labour_status": 1, "job_changes": 2, "employer": "Photon Ltd"})
    names = [q["name"] for q in logic["questions"]]
    assert names == [q.name for q in definition.questions(mobility)]
    reasons = next(q for q in logic["questions"] if q["name"] == "move_reasons")
    assert reasons["shown_if"] == [to_json(parse("${job_changes} > 0"))]
    assert reasons["type"] == "select_multiple" and reasons["codes"]
    # Only what this page's conditions read from earlier pages: never the employer.
    assert logic["known"] == {}
    assert logic["kinds"]["move_reasons"] == "multi"
    satisfaction = definition.page("satisfaction")
    logic = page_logic(definition, satisfaction, {"labour_status": 1, "employer": "Photon"})
    assert logic["known"] == {"labour_status": 1}
    assert all(q["shown_if"] for q in logic["questions"])  # the page's own condition
    assert "countries" not in logic


def test_variables_lists_what_a_condition_reads():
    tree = parse("${a} > 1 and (not selected(${b}, 2) or empty(${c}) or "
                 "count-selected(${d}) = 0)")
    assert sorted(variables(tree)) == ["a", "b", "c", "d"]


def test_the_logic_json_is_safe_inside_a_script_element(app):
    from flask import render_template_string

    html = render_template_string("{{ data|tojson }}", data={"t": "</script><b>"})
    assert "</script>" not in html

