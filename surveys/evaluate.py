"""Conditions at work: type checking at load, evaluation over answers, and the JSON form."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from .syntax import And, Call, Compare, Literal, Node, Not, Or, Self, Var

YEAR_MONTH_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class VarInfo:
    """What a condition may do with a variable: its kind and, for coded ones, the codes."""

    kind: str  # number, code, multi, text, date, year_month
    codes: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ConditionProblem:
    key: str
    position: int
    params: dict


_BOOLEAN = (Compare, And, Or, Not)


def _is_boolean(node: Node) -> bool:
    if isinstance(node, Literal):
        return isinstance(node.value, bool)
    if isinstance(node, Call):
        return node.function != "count-selected"
    return isinstance(node, _BOOLEAN)


def _position(node: Node) -> int:
    if isinstance(node, (Var, Self)):
        return node.position
    if isinstance(node, Call):
        return node.var.position
    if isinstance(node, Compare):
        return _position(node.left)
    if isinstance(node, Not):
        return _position(node.arg)
    if isinstance(node, (And, Or)):
        return _position(node.args[0])
    return 0


class _Checker:
    def __init__(self, known, later, self_info):
        self.known: Mapping[str, VarInfo] = known
        self.later = later
        self.self_info: VarInfo | None = self_info
        self.problems: list[ConditionProblem] = []

    def problem(self, key: str, node: Node, **params) -> None:
        self.problems.append(ConditionProblem(key, _position(node), params))

    def var(self, var: Var) -> VarInfo | None:
        if var.name in self.known:
            return self.known[var.name]
        self.problem("variable_later" if var.name in self.later else "variable_unknown",
                     var, name=var.name)
        return None

    def boolean(self, node: Node) -> None:
        if not _is_boolean(node):
            self.problem("not_boolean", node)
            self.value(node)  # still report what is wrong inside
        elif isinstance(node, (And, Or)):
            for arg in node.args:
                self.boolean(arg)
        elif isinstance(node, Not):
            self.boolean(node.arg)
        elif isinstance(node, Compare):
            self.compare(node)
        elif isinstance(node, Call):
            self.call(node)

    def call(self, node: Call) -> None:
        info = self.var(node.var)
        if info is None:
            return
        if node.function == "selected":
            if info.kind not in ("code", "multi"):
                self.problem("selected_needs_choice", node, name=node.var.name)
            elif node.code not in info.codes:
                self.problem("code_not_in_list", node, name=node.var.name, code=node.code)
        elif node.function == "count-selected" and info.kind != "multi":
            self.problem("count_needs_multiple", node, name=node.var.name)

    def value(self, node: Node) -> str | None:
        """Return the operand's kind (None when it cannot take part in a comparison)."""
        if isinstance(node, Literal):
            if node.value is None:
                self.problem("compare_null", node)
                return None
            if isinstance(node.value, bool):
                self.problem("compare_boolean", node)
                return None
            return "string" if isinstance(node.value, str) else "number"
        if isinstance(node, Var):
            info = self.var(node)
            return info.kind if info else None
        if isinstance(node, Self):
            if self.self_info is None:
                self.problem("dot_outside_constraint", node)
                return None
            return self.self_info.kind
        if isinstance(node, Call) and node.function == "count-selected":
            self.call(node)
            return "number"
        self.problem("not_a_value", node)
        return None

    def compare(self, node: Compare) -> None:
        kinds = [self.value(node.left), self.value(node.right)]
        if None in kinds:
            return
        if "multi" in kinds:
            self.problem("compare_multiple", node)
            return
        numeric = {"number", "code"}
        sides = [(kinds[0], node.right), (kinds[1], node.left)]
        if set(kinds) <= numeric:
            for var_side, other in ((node.left, node.right), (node.right, node.left)):
                info = self._info(var_side)
                if info is not None and info.kind == "code" and node.op in ("=", "!=") \
                        and isinstance(other, Literal) and other.value not in info.codes:
                    self.problem("code_not_in_list", node, code=other.value,
                                 name=getattr(var_side, "name", "."))
            return
        if kinds[0] == kinds[1] and kinds[0] in ("text", "string", "date", "year_month"):
            return
        for kind, other in sides:
            if kind == "date" and isinstance(other, Literal) and isinstance(other.value, str):
                if _parse_date(other.value) is None:
                    self.problem("bad_date_literal", node, text=other.value)
                return
            if kind == "year_month" and isinstance(other, Literal) \
                    and isinstance(other.value, str):
                if not YEAR_MONTH_RE.fullmatch(other.value):
                    self.problem("bad_year_month_literal", node, text=other.value)
                return
        if set(kinds) <= {"text", "string"}:
            return
        self.problem("type_mismatch", node, left=kinds[0], right=kinds[1])

    def _info(self, node: Node) -> VarInfo | None:
        if isinstance(node, Var):
            return self.known.get(node.name)
        if isinstance(node, Self):
            return self.self_info
        return None


def check(node: Node, known: Mapping[str, VarInfo], later=frozenset(),
          self_info: VarInfo | None = None) -> list[ConditionProblem]:
    """Return every problem of a parsed condition given the variables it may read."""
    checker = _Checker(known, later, self_info)
    checker.boolean(node)
    return checker.problems


def _parse_date(text: str) -> dt.date | None:
    # Only YYYY-MM-DD: fromisoformat alone would also take week dates such as 2020-W01-1.
    try:
        return dt.date.fromisoformat(text) if DATE_RE.fullmatch(text) else None
    except ValueError:
        return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == frozenset()


def _value(node: Node, answers: Mapping[str, Any], self_value: Any) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Var):
        value = answers.get(node.name)
        return None if _empty(value) else value
    if isinstance(node, Self):
        return None if _empty(self_value) else self_value
    if isinstance(node, Call) and node.function == "count-selected":
        selected = answers.get(node.var.name)
        return len(selected) if selected else 0
    return evaluate(node, answers, self_value)


_OPS = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False  # an unanswered question compares false with anything
    if isinstance(left, dt.date) and isinstance(right, str):
        right = _parse_date(right)
    elif isinstance(right, dt.date) and isinstance(left, str):
        left = _parse_date(left)
    numbers = (int, Decimal)
    if isinstance(left, numbers) != isinstance(right, numbers) or left is None or right is None:
        return False
    try:
        return bool(_OPS[op](left, right))
    except TypeError:
        return False


def evaluate(node: Node, answers: Mapping[str, Any], self_value: Any = None) -> bool:
    """Evaluate a checked condition over typed answers (missing or hidden answers are null)."""
    if isinstance(node, Or):
        return any(evaluate(arg, answers, self_value) for arg in node.args)
    if isinstance(node, And):
        return all(evaluate(arg, answers, self_value) for arg in node.args)
    if isinstance(node, Not):
        return not evaluate(node.arg, answers, self_value)
    if isinstance(node, Compare):
        return _compare(node.op, _value(node.left, answers, self_value),
                        _value(node.right, answers, self_value))
    if isinstance(node, Call):
        value = answers.get(node.var.name)
        if node.function == "empty":
            return _empty(value)
        if _empty(value):
            return False
        return node.code in value if isinstance(value, frozenset) else value == node.code
    if isinstance(node, Literal) and isinstance(node.value, bool):
        return node.value
    raise TypeError(f"not a condition: {node!r}")


def to_json(node: Node) -> dict:
    """Turn a tree into the small JSON form the page script evaluates (docs/survey-format.md)."""
    if isinstance(node, Literal):
        value = node.value
        # JavaScript reads JSON numbers as doubles: past 2**53 an integer goes as a decimal.
        if isinstance(value, Decimal) or (type(value) is int and abs(value) > 2 ** 53):
            return {"dec": str(value)}
        return {"lit": value}
    if isinstance(node, Var):
        return {"var": node.name}
    if isinstance(node, Self):
        return {"self": True}
    if isinstance(node, Compare):
        return {"op": node.op, "a": to_json(node.left), "b": to_json(node.right)}
    if isinstance(node, (And, Or)):
        return {"op": "and" if isinstance(node, And) else "or",
                "args": [to_json(arg) for arg in node.args]}
    if isinstance(node, Not):
        return {"op": "not", "arg": to_json(node.arg)}
    form = {"fn": node.function, "var": node.var.name}
    if node.function == "selected":
        form["code"] = node.code
    return form


def from_json(form: Mapping[str, Any]) -> Node:
    """Rebuild a tree from its JSON form (the inverse of to_json)."""
    if "dec" in form:
        return Literal(Decimal(form["dec"]))
    if "lit" in form:
        return Literal(form["lit"])
    if "self" in form:
        return Self()
    if "fn" in form:
        return Call(form["fn"], Var(form["var"]), form.get("code"))
    if "var" in form:
        return Var(form["var"])
    op = form["op"]
    if op in ("and", "or"):
        args = tuple(from_json(arg) for arg in form["args"])
        return And(args) if op == "and" else Or(args)
    if op == "not":
        return Not(from_json(form["arg"]))
    return Compare(op, from_json(form["a"]), from_json(form["b"]))
