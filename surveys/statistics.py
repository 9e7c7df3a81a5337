"""Closed surveys' coded answers, as the statistics release reads them (``stats.surveys``).

Registered in ``init_app`` as a statistics source: each release asks for the surveys closed
by its date and gets, per survey, its coded variables and one row of codes per submitted
response of a registrant active on that date (the same people as the registrant tables,
so a deleted or suspended person's answers leave the next release). The answers of every
closed survey are read with one query; only the registrant's key (to join their cohort,
then dropped) and answer codes leave here: no response id, no dates, no free text, no
numbers. Answers are coded as the raw-data export codes them (``surveys.export``), to the
survey's current version: a code that version does not have counts as "No answer".
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator

import pandas as pd
import sqlalchemy as sa

from jgrad.db import UTCDateTime
from jgrad.extensions import db
from jgrad.statistics.extract import active_registrant_ids
from stats.surveys import NO_ANSWER, NOT_APPLICABLE, CodedVariable, SurveyAnswers

from .answers import question_label, visible
from .model import Question
from .model import Survey as Definition
from .models import Response, Survey, SurveyState, SurveyVersion, answer_kinds, typed_answers

CHOICE_TYPES = ("select_one", "likert", "matrix")
SELECTED = (("1", "Selected", "選択"), ("0", "Not selected", "非選択"))
COUNTRY = (("JP", "Japan", "日本"), ("other", "Other countries", "日本以外"))
BATCH = 5_000

# One coder per variable: (stored answer, or None when missing) -> code
Coder = Callable[[object], str]


def _label(question: Question) -> tuple[str, str]:
    return question_label(question, "en"), question_label(question, "ja")


def _choice_coder(codes: frozenset[int]) -> Coder:
    return lambda value: str(value) if value in codes else NO_ANSWER


def _option_coder(code: int) -> Coder:
    return lambda value: "1" if code in value else "0"


def _country(value) -> str:
    return "JP" if str(value).strip().upper() == "JP" else "other"


def coded_variables(definition: Definition
                    ) -> list[tuple[Question, CodedVariable, Coder]]:
    """Return the definition's coded variables, each with its question and coder.

    Single choices, Likert items and matrix rows are one variable; a multiple choice is
    one variable per option (selected or not, as ``var___code`` in the export); a
    country is Japan or another country. Text, numbers, dates and notes are not coded.
    """
    out = []
    for question in definition.questions():
        item, (en, ja) = question.item, _label(question)
        if item.type in CHOICE_TYPES or item.type == "select_multiple":
            choices = definition.choice_list(item.choices)
        if item.type in CHOICE_TYPES:
            values = tuple((str(c.code), c.label.get("en"), c.label.get("ja"))
                           for c in choices.choices)
            out.append((question, CodedVariable(question.name, (en, ja), values),
                        _choice_coder(choices.codes())))
        elif item.type == "select_multiple":
            for choice in choices.choices:
                label = (f"{en}: {choice.label.get('en')}", f"{ja}：{choice.label.get('ja')}")
                out.append((question, CodedVariable(f"{question.name}___{choice.code}", label,
                                                    SELECTED), _option_coder(choice.code)))
        elif item.type == "country":
            out.append((question, CodedVariable(question.name, (en, ja), COUNTRY), _country))
    return out


def code_response(definition: Definition, coded, answers: dict,
                  kinds: dict[str, str] | None = None) -> list[str]:
    """Return one response's codes, in the order of ``coded`` (``kinds``: answer_kinds)."""
    typed = None
    codes = []
    for question, _variable, coder in coded:
        value = answers.get(question.name)
        if value is None:
            if typed is None:  # conditions are evaluated only when something is missing
                typed = typed_answers(definition, answers, kinds)
            codes.append(NO_ANSWER if visible(question, typed) else NOT_APPLICABLE)
        else:
            codes.append(coder(value))
    return codes


def closed_surveys(as_of: dt.datetime) -> list[Survey]:
    """Return the surveys closed by ``as_of``: open and draft surveys contribute nothing."""
    return list(db.session.scalars(sa.select(Survey).where(
        Survey.state == SurveyState.CLOSED,
        Survey.closed_at <= sa.literal(as_of, UTCDateTime())).order_by(Survey.slug)))


def _submitted(survey_ids: list[int], as_of: dt.datetime) -> Iterator[tuple[int, int, str]]:
    """Yield (survey id, registrant id, answers) of every counted response: one query."""
    moment = sa.literal(as_of, UTCDateTime())
    query = (sa.select(SurveyVersion.survey_id, Response.registrant_id, Response.answers_json)
             .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
             .where(SurveyVersion.survey_id.in_(survey_ids),
                    Response.submitted_at.is_not(None), Response.submitted_at <= moment,
                    Response.registrant_id.in_(active_registrant_ids(as_of)))
             .order_by(SurveyVersion.survey_id, Response.id))
    yield from db.session.execute(query.execution_options(yield_per=BATCH))


def survey_answers(as_of: dt.datetime) -> list[SurveyAnswers]:
    """Return every survey closed by ``as_of`` with its respondents' codes."""
    surveys = closed_surveys(as_of)
    plans = {}
    for survey in surveys:
        version = survey.current_version
        definition = version.definition()
        plans[survey.id] = (survey, version.number, definition, coded_variables(definition),
                            answer_kinds(definition), [], [])
    for survey_id, registrant_id, answers_json in _submitted(list(plans), as_of):
        _survey, _number, definition, coded, kinds, pids, rows = plans[survey_id]
        pids.append(registrant_id)
        rows.append(code_response(definition, coded, json.loads(answers_json), kinds))
    out = []
    for survey, number, _definition, coded, _kinds, pids, rows in plans.values():
        names = [variable.name for _question, variable, _coder in coded]
        answers = pd.DataFrame(rows, columns=names, dtype="string")
        answers.insert(0, "pid", pd.array(pids, dtype="int64"))
        out.append(SurveyAnswers(survey.slug, number, (survey.title_en, survey.title_ja),
                                 tuple(variable for _q, variable, _c in coded), answers))
    return out
