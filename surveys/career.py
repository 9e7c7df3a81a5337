"""Career-block fields: which career-spell field an item reads from and writes to."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from jgrad.registrants import codes

from .model import Survey

PREFIX = "career.current."
BOOLEAN_VALUES = frozenset({"true", "false"})


@dataclass(frozen=True)
class CareerField:
    """A field of the registrant's current career spell and the item type that can hold it."""

    column: str
    item_type: str
    values: frozenset[str] = frozenset()  # the record codes, for coded fields


def _coded(column: str, code_list) -> CareerField:
    return CareerField(column, "select_one", frozenset(code_list))


FIELDS: dict[str, CareerField] = {
    PREFIX + f.column: f for f in (
        CareerField("start_month", "year_month"),
        _coded("labour_status", codes.LABOUR_STATUS),
        CareerField("employer", "text"),
        _coded("sector", codes.SECTOR),
        CareerField("country", "country"),
        _coded("prefecture", codes.PREFECTURE),
        CareerField("job_title", "text"),
        _coded("academic_rank", codes.ACADEMIC_RANK),
        CareerField("postdoc", "select_one", BOOLEAN_VALUES),
        _coded("employment_term", codes.EMPLOYMENT_TERM),
        CareerField("contract_months", "integer"),
        _coded("working_hours", codes.WORKING_HOURS),
        _coded("income_band", codes.INCOME_BAND),
        _coded("relatedness", codes.RELATEDNESS),
    )
}


def _career_items(survey: Survey):
    for page in survey.pages:
        for block in page.items:
            if block.type == "career":
                yield from block.items


def prefill(survey: Survey, spell: Mapping[str, Any]) -> dict[str, Any]:
    """Return starting answers from a current career spell given as {column: value}."""
    answers: dict[str, Any] = {}
    for item in _career_items(survey):
        if not item.prefill:
            continue
        career_field = FIELDS[item.prefill]
        value = spell.get(career_field.column)
        if value is None:
            continue
        if career_field.item_type == "select_one":
            record = ("true" if value else "false") if isinstance(value, bool) else str(value)
            choice = next((c for c in survey.choice_list(item.choices).choices
                           if c.value == record), None)
            if choice is not None:
                answers[item.name] = choice.code
        elif career_field.item_type == "year_month" and isinstance(value, dt.date):
            answers[item.name] = value.strftime("%Y-%m")
        else:
            answers[item.name] = value
    return answers


def writeback(survey: Survey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Return {column: record value} for the career spell from validated answers."""
    update: dict[str, Any] = {}
    for item in _career_items(survey):
        if not item.writeback or answers.get(item.name) is None:
            continue
        career_field = FIELDS[item.writeback]
        value = answers[item.name]
        if career_field.item_type == "select_one":
            value = survey.choice_list(item.choices).by_code(value).value
            if career_field.values == BOOLEAN_VALUES:
                value = value == "true"
        elif career_field.item_type == "year_month":
            year, month = value.split("-")
            value = dt.date(int(year), int(month), 1)
        update[career_field.column] = value
    return update
