"""The condition language: grammar, refusals with positions, null semantics, JSON form."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from surveys.conditions import (And, Call, Compare, ConditionSyntaxError, Literal, Not, Or, Self,
                                Var, parse, serialise)
from surveys.evaluate import VarInfo, check, evaluate, from_json, to_json

KNOWN = {
    "age": VarInfo("number"), "income": VarInfo("number"),
    "sex": VarInfo("code", frozenset({1, 2})), "langs": VarInfo("multi", frozenset({1, 2, 3})),
    "name": VarInfo("text"), "born": VarInfo("date"), "started": VarInfo("year_month"),
}


def test_literals_of_every_kind():
    assert parse("${age} = 30").right == Literal(30)
    assert parse("${age} = -3").right == Literal(-3)
    assert parse("${income} > 2.50").right == Literal(Decimal("2.50"))
    assert parse("${name} = 'abc'").right == Literal("abc")
    assert parse('${name} = "it\'s"').right == Literal("it's")
    assert parse("true") == Literal(True)
    assert parse("false") == Literal(False)
    assert parse("${name} = null").right == Literal(None)


def test_precedence_not_over_and_over_or():
    tree = parse("${a} = 1 or not ${b} = 2 and ${c} = 3")
    assert isinstance(tree, Or)
    assert isinstance(tree.args[1], And)
    assert isinstance(tree.args[1].args[0], Not)


def test_parentheses_group():
    tree = parse("(${a} = 1 or ${b} = 2) and ${c} = 3")
    assert isinstance(tree, And) and isinstance(tree.args[0], Or)


@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_every_comparison(op):
    assert parse(f"${{age}} {op} 18") == Compare(op, Var("age"), Literal(18))


def test_functions_and_dot():
    assert parse("selected(${langs}, 2)") == Call("selected", Var("langs"), 2)
    assert parse("selected(${langs}, '2')") == Call("selected", Var("langs"), 2)
    assert parse("empty(${name})") == Call("empty", Var("name"))
    assert parse("count-selected(${langs}) >= 2").left == Call("count-selected", Var("langs"))
    assert parse(". > 0").left == Self()


@pytest.mark.parametrize("text", [
    "${a} = 1 and not (${b} > 2.5 or empty(${c}))",
    "(${a} = 1 and ${b} = 2) and ${c} = 3",
    "not not selected(${q}, 3)",
    "${t} = \"it's\" or ${t} != 'x'",
    ". >= 0 and . <= 10",
    "count-selected(${q}) > 1 or true",
])
def test_serialise_round_trips(text):
    tree = parse(text)
    assert parse(serialise(tree)) == tree
    assert from_json(to_json(tree)) == tree


@pytest.mark.parametrize("text, key, position", [
    ("${age} = ", "unexpected_end", 9),
    ("${age} = 1 1", "unexpected_token", 11),
    ("${Age} = 1", "bad_variable", 0),
    ("${age = 1", "bad_variable", 0),
    ("${name} = 'abc", "unterminated_string", 10),
    ("${age} + 1 = 2", "unexpected_character", 7),
    ("1 < ${age} < 3", "chained_comparison", 11),
    ("__import__('os')", "unexpected_character", 0),
    ("len(${name}) > 2", "unknown_word", 0),
    ("selected(${langs}, x)", "bad_code", 19),
    ("", "empty_condition", 0),
    ("(${age} = 1", "unexpected_end", 11),
])
def test_syntax_errors_name_the_position(text, key, position):
    with pytest.raises(ConditionSyntaxError) as caught:
        parse(text)
    assert (caught.value.key, caught.value.position) == (key, position)


def test_python_is_never_evaluated():
    for text in ("1 if True else 0", "${age}.__class__", "lambda: 1", "exec('x')"):
        with pytest.raises(ConditionSyntaxError):
            parse(text)


def problems(text, known=KNOWN, later=frozenset(), self_info=None):
    return [(p.key, p.position) for p in check(parse(text), known, later, self_info)]


def test_check_accepts_well_typed_conditions():
    for text in ("${age} > 30 and ${sex} = 1", "selected(${langs}, 3) or empty(${name})",
                 "count-selected(${langs}) >= 2", "${born} < '2000-01-01'",
                 "${started} >= '2020-04'", "${name} != 'x'", "not (${income} <= 2.5)"):
        assert problems(text) == [], text


@pytest.mark.parametrize("text, key", [
    ("${nobody} = 1", "variable_unknown"),
    ("${later} = 1", "variable_later"),
    ("${age}", "not_boolean"),
    ("${age} and ${sex} = 1", "not_boolean"),
    ("selected(${age}, 1)", "selected_needs_choice"),
    ("selected(${sex}, 9)", "code_not_in_list"),
    ("${sex} = 9", "code_not_in_list"),
    ("count-selected(${sex}) > 0", "count_needs_multiple"),
    ("${age} = null", "compare_null"),
    ("${age} = true", "compare_boolean"),
    (". = 1", "dot_outside_constraint"),
    ("(${age} = 1) = (${sex} = 1)", "not_a_value"),
    ("${langs} = 1", "compare_multiple"),
    ("${born} < '2000-13-01'", "bad_date_literal"),
    ("${started} < '2020-4'", "bad_year_month_literal"),
    ("${age} = 'x'", "type_mismatch"),
    ("${name} > ${age}", "type_mismatch"),
])
def test_check_refuses(text, key):
    found = problems(text, later=frozenset({"later"}))
    assert key in [k for k, _ in found], found


def test_check_reports_every_problem_with_its_position():
    found = problems("${x} = 1 or ${y} = 2", known={}, later=frozenset({"y"}))
    assert found == [("variable_unknown", 0), ("variable_later", 12)]


def test_dot_allowed_in_a_constraint():
    assert problems(". >= 18", self_info=VarInfo("number")) == []


def test_unanswered_compares_false_with_anything():
    for text in ("${age} = 1", "${age} != 1", "${age} < 1", "${age} >= 1", "${name} = ''"):
        assert evaluate(parse(text), {}) is False
        assert evaluate(parse(text), {"age": None, "name": None}) is False
    assert evaluate(parse("not (${age} = 1)"), {}) is True


def test_evaluate_comparisons_and_logic():
    answers = {"age": 40, "income": Decimal("3.5"), "sex": 2, "langs": frozenset({1, 3}),
               "name": "Sato", "born": dt.date(1990, 5, 1), "started": "2021-04"}
    cases = {
        "${age} > 30 and ${sex} = 2": True, "${age} <= 30 or ${sex} = 1": False,
        "${income} >= 3.5": True, "${income} < 3": False,
        "selected(${langs}, 3)": True, "selected(${langs}, 2)": False,
        "selected(${sex}, 2)": True, "count-selected(${langs}) = 2": True,
        "empty(${name})": False, "empty(${missing})": True, "not empty(${langs})": True,
        "${name} = 'Sato'": True, "${name} != 'Sato'": False,
        "${born} < '2000-01-01'": True, "${born} = '1990-05-01'": True,
        "${started} >= '2021-04'": True, "${started} > '2021-04'": False,
        "true": True, "false or ${age} = 40": True,
    }
    checked = 0
    for text, expected in cases.items():
        assert evaluate(parse(text), answers) is expected, text
        checked += 1
    assert checked == len(cases)


def test_empty_counts_blank_text_and_no_selection():
    assert evaluate(parse("empty(${name})"), {"name": ""}) is True
    assert evaluate(parse("empty(${langs})"), {"langs": frozenset()}) is True
    assert evaluate(parse("count-selected(${langs}) = 0"), {}) is True


def test_constraint_reads_its_own_value():
    tree = parse(". >= 18 and . < ${limit}")
    assert evaluate(tree, {"limit": 65}, 30) is True
    assert evaluate(tree, {"limit": 65}, 70) is False


def test_json_form_is_plain_data():
    form = to_json(parse("${a} > 1.5 and not selected(${q}, 2) or empty(${t}) or . = 'x'"))
    assert form == {"op": "or", "args": [
        {"op": "and", "args": [
            {"op": ">", "a": {"var": "a"}, "b": {"dec": "1.5"}},
            {"op": "not", "arg": {"fn": "selected", "var": "q", "code": 2}}]},
        {"fn": "empty", "var": "t"},
        {"op": "=", "a": {"self": True}, "b": {"lit": "x"}}]}
