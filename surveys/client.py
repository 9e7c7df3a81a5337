"""What the answering page's script needs to show and hide questions as answers change:
each question's kind, bounds and conditions (as `evaluate.to_json` trees) and the answers
given on earlier pages that this page's conditions read. The server stays the judge: it
re-evaluates every condition and refuses answers to hidden questions.

Answers travel in a small typed JSON form the script decodes by kind: numbers as decimal
strings (exact), choice codes as integers, multiple choices as code lists, dates as
'YYYY-MM-DD', everything else as text.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterator, Mapping

from jgrad.registrants.codes import COUNTRY_CODES

from .definition import var_info
from .evaluate import to_json
from .model import TEXT_LENGTH, Condition, Item, Page, Survey
from .syntax import And, Call, Compare, Node, Not, Or, Var


def encode(kind: str, value: Any) -> Any:
    """Write one typed answer in the script's JSON form (kind as in `evaluate.VarInfo`)."""
    if value is None:
        return None
    if kind == "multi":
        return sorted(value)
    if kind == "number":
        return str(value)
    if kind == "code":
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def encode_answers(kinds: Mapping[str, str], answers: Mapping[str, Any]) -> dict:
    """Write typed answers in the script's JSON form (only variables of known kind)."""
    return {name: encode(kinds[name], value) for name, value in answers.items()
            if name in kinds}


def variables(node: Node) -> Iterator[str]:
    """Yield every variable a condition reads."""
    if isinstance(node, Var):
        yield node.name
    elif isinstance(node, Call):
        yield node.var.name
    elif isinstance(node, Compare):
        yield from variables(node.left)
        yield from variables(node.right)
    elif isinstance(node, (And, Or)):
        for arg in node.args:
            yield from variables(arg)
    elif isinstance(node, Not):
        yield from variables(node.arg)


def _trees(conditions: tuple[Condition, ...]) -> list[dict]:
    return [to_json(condition.tree) for condition in conditions]


def _bound(value) -> str | None:
    return None if value is None else str(value)


def _items(items: tuple[Item, ...], outer: tuple[Condition, ...]) -> Iterator[tuple]:
    for item in items:
        conditions = outer + ((item.relevant,) if item.relevant else ())
        yield item, conditions
        yield from _items(item.items, conditions)


def page_logic(definition: Survey, page: Page, answers: Mapping[str, Any]) -> dict:
    """Return the page's conditions and the earlier answers they read (typed `answers`)."""
    lists = {cl.name: cl for cl in definition.choice_lists}
    kinds = {q.name: var_info(q.item, lists).kind for q in definition.questions()}
    outer = (page.relevant,) if page.relevant else ()
    questions, read = [], set()
    for question in definition.questions(page):
        item = question.item
        constraint = item.constraint if item.type != "matrix" else None
        questions.append({
            "name": question.name, "type": "code" if item.type == "matrix" else item.type,
            "shown_if": _trees(question.shown_if),
            "constraint": to_json(constraint.tree) if constraint else None,
            "codes": sorted(lists[item.choices].codes()) if item.choices else [],
            "min": _bound(item.minimum), "max": _bound(item.maximum),
            "limit": TEXT_LENGTH.get(item.type)})
        for condition in question.shown_if + ((constraint,) if constraint else ()):
            read.update(variables(condition.tree))
    items = [{"name": item.name, "shown_if": _trees(conditions)}
             for item, conditions in _items(page.items, outer) if conditions]
    on_page = {q["name"] for q in questions}
    earlier = {name: answers.get(name) for name in sorted(read - on_page)}
    logic = {"questions": questions, "items": items, "kinds": kinds,
             "known": encode_answers(kinds, earlier)}
    if any(q["type"] == "country" for q in questions):
        logic["countries"] = sorted(COUNTRY_CODES)
    return logic
