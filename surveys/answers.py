"""Check one page of submitted answers against the definition: typed values or named errors."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping, Sequence

from jgrad.registrants.codes import COUNTRY_CODES

from .evaluate import DATE_RE, YEAR_MONTH_RE, evaluate
from .messages import message
from .model import TEXT_LENGTH, Question, Survey

_INTEGER_RE = re.compile(r"[+-]?([0-9]{1,15}|[0-9]{1,3}(,[0-9]{3}){1,4})")
_DECIMAL_RE = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,10})?")


@dataclass
class PageResult:
    """Typed answers of the page's questions (None when unanswered or hidden) and errors."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, name: str, text: str) -> None:
        self.errors.setdefault(name, []).append(text)


class _Invalid(Exception):
    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


def visible(question: Question, answers: Mapping[str, Any]) -> bool:
    """Return whether the question is shown: its page, block and own conditions all hold."""
    return all(evaluate(condition.tree, answers) for condition in question.shown_if)


def question_label(question: Question, lang: str) -> str:
    """Return the label a message names a question by (a matrix row with its matrix)."""
    if question.item.type == "matrix":
        return f"{question.item.label.get(lang)} / {question.label.get(lang)}"
    return question.label.get(lang)


def _is_empty(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    return all(_is_empty(part) for part in raw)


def _single(raw) -> str:
    if isinstance(raw, str):
        return raw
    parts = [part for part in raw if not _is_empty(part)]
    if len(parts) > 1:
        raise _Invalid("one_answer_only")
    return parts[0]


def _normal(text: str) -> str:
    # Full-width digits and letters, as Japanese input methods type them, become ASCII.
    return unicodedata.normalize("NFKC", text).strip()


def _code(text: str, codes: frozenset[int]) -> int:
    text = _normal(text)
    if not re.fullmatch(r"-?[0-9]{1,7}", text) or int(text) not in codes:
        raise _Invalid("not_a_choice")
    return int(text)


def _parse(survey: Survey, question: Question, raw) -> Any:
    item = question.item
    kind = item.type
    if kind == "select_multiple":
        parts = [raw] if isinstance(raw, str) else list(raw)
        codes = survey.choice_list(item.choices).codes()
        return frozenset(_code(part, codes) for part in parts if not _is_empty(part))
    text = _single(raw)
    if kind in ("select_one", "likert", "matrix"):
        return _code(text, survey.choice_list(item.choices).codes())
    if kind in TEXT_LENGTH:
        text = text.strip().replace("\r\n", "\n")
        if len(text) > TEXT_LENGTH[kind]:
            raise _Invalid("too_long", limit=TEXT_LENGTH[kind])
        return text
    text = _normal(text)
    if kind == "integer":
        if not _INTEGER_RE.fullmatch(text):
            raise _Invalid("not_integer")
        return _bounded(item, int(text.replace(",", "")))
    if kind == "decimal":
        if not _DECIMAL_RE.fullmatch(text):
            raise _Invalid("not_decimal")
        try:
            return _bounded(item, Decimal(text))
        except InvalidOperation:
            raise _Invalid("not_decimal") from None
    if kind == "date":
        try:
            if not DATE_RE.fullmatch(text):
                raise ValueError(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            raise _Invalid("not_a_date") from None
    if kind == "year_month":
        if not YEAR_MONTH_RE.fullmatch(text):
            raise _Invalid("not_a_year_month")
        return text
    if kind == "country":
        if text.upper() not in COUNTRY_CODES:
            raise _Invalid("not_a_country")
        return text.upper()
    raise AssertionError(f"no parser for {kind}")


def _bounded(item, value):
    if item.minimum is not None and value < item.minimum:
        raise _Invalid("below_min", min=item.minimum)
    if item.maximum is not None and value > item.maximum:
        raise _Invalid("above_max", max=item.maximum)
    return value


def validate_page(survey: Survey, page_name: str, raw: Mapping[str, str | Sequence[str]],
                  *, answers: Mapping[str, Any] | None = None, lang: str = "en") -> PageResult:
    """Check the raw strings submitted for one page.

    `answers` holds the typed answers already saved for other pages, which conditions on
    this page may read. Answers to questions that their conditions hide are refused.
    """
    page = survey.page(page_name)
    questions = list(survey.questions(page))
    on_page = {question.name for question in questions}
    context = {name: value for name, value in (answers or {}).items() if name not in on_page}
    result = PageResult()
    for name in raw:
        if name not in on_page:
            result.add_error(name, message("not_on_page", lang, name=name))
    for question in questions:
        submitted = raw.get(question.name)
        label = question_label(question, lang)
        value = None
        if not visible(question, context):
            if not _is_empty(submitted):
                result.add_error(question.name, message("hidden_answer", lang, label=label))
        elif _is_empty(submitted):
            if question.item.required:
                result.add_error(question.name, message("required", lang, label=label))
        else:
            try:
                value = _parse(survey, question, submitted)
            except _Invalid as invalid:
                result.add_error(question.name,
                                 message(invalid.key, lang, label=label, **invalid.params))
            else:
                value = _constrained(question, value, context, label, lang, result)
        result.values[question.name] = value
        context[question.name] = value
    return result


def _constrained(question: Question, value, context, label: str, lang: str, result):
    constraint = question.item.constraint
    if constraint is None or evaluate(constraint.tree, context, value):
        return value
    custom = question.item.constraint_message
    text = (message("constraint_custom", lang, label=label, text=custom.get(lang)) if custom
            else message("constraint_failed", lang, label=label))
    result.add_error(question.name, text)
    return None
