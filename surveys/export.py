"""Raw responses for administrators: CSV with a codebook, SPSS .sav and Stata .dta.

One row per response (partial ones too, flagged by ``complete``). Single choices, Likert
items and matrix rows are their integer codes; a multiple choice is one 0/1 column per
option (``var___code``); numbers are numbers; text, dates and countries are text. Missing
answers are coded in numeric columns: -1 not applicable (the question was hidden by its
conditions), -9 no answer; text columns leave them empty. Variables follow the survey's
current version; answers of older versions fill the variables they share with it.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from jgrad import exports
from jgrad.extensions import db
from jgrad.registrants.models import Registrant

from .answers import visible
from .model import Survey as Definition
from .models import Response, Survey, SurveyVersion

NOT_APPLICABLE, NO_ANSWER = -1, -9
MISSING = {NOT_APPLICABLE: ("Not applicable", "非該当"), NO_ANSWER: ("No answer", "無回答")}
CODED = ("select_one", "likert", "matrix")
NUMERIC = CODED + ("integer", "decimal")
FORMATS = ("csv", "sav", "dta")


@dataclass
class Variable:
    name: str
    label_en: str
    label_ja: str
    type: str  # "numeric" or "text"
    values: dict[int, tuple[str, str]] = field(default_factory=dict)  # code: (en, ja)


@dataclass
class Dataset:
    variables: list[Variable]
    rows: list[list]
    registrant_ids: list[int]


def _fixed() -> list[Variable]:
    yes_no = {1: ("Yes", "はい"), 0: ("No", "いいえ")}
    return [Variable("response_id", "Response", "回答番号", "numeric"),
            Variable("doctor_id", "Doctor ID", "Doctor ID", "text"),
            Variable("survey_version", "Survey version", "調査票の版", "numeric"),
            Variable("complete", "Submitted", "回答完了", "numeric", yes_no)]


def variables(definition: Definition) -> list[Variable]:
    """Return the dataset's variables in survey order."""
    result = _fixed()
    for question in definition.questions():
        item = question.item
        label = question.label if item.type != "matrix" else question.label
        en, ja = label.get("en"), label.get("ja")
        if item.type == "select_multiple":
            for choice in definition.choice_list(item.choices).choices:
                result.append(Variable(f"{question.name}___{choice.code}",
                                       f"{en}: {choice.label.get('en')}",
                                       f"{ja}: {choice.label.get('ja')}", "numeric",
                                       {1: ("Selected", "選択"), 0: ("Not selected", "非選択")}))
        elif item.type in CODED:
            values = {c.code: (c.label.get("en"), c.label.get("ja"))
                      for c in definition.choice_list(item.choices).choices}
            result.append(Variable(question.name, en, ja, "numeric", values))
        else:
            result.append(Variable(question.name, en, ja,
                                   "numeric" if item.type in NUMERIC else "text"))
    return result


def _cells(definition: Definition, answers: dict, typed: dict) -> list:
    cells = []
    for question in definition.questions():
        item = question.item
        shown = visible(question, typed)
        value = answers.get(question.name)
        missing = NO_ANSWER if shown else NOT_APPLICABLE
        if item.type == "select_multiple":
            codes = [c.code for c in definition.choice_list(item.choices).choices]
            chosen = set(value or ())
            cells += ([missing] * len(codes) if value is None
                      else [1 if code in chosen else 0 for code in codes])
        elif item.type in NUMERIC:
            cells.append(missing if value is None else value)
        else:
            cells.append("" if value is None else str(value))
    return cells


def dataset(survey: Survey) -> Dataset:
    """Build the survey's dataset from every response."""
    definition = survey.current_version.definition()
    rows, ids = [], []
    query = (sa.select(Response, SurveyVersion.number, Registrant.doctor_id)
             .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
             .join(Registrant, Registrant.id == Response.registrant_id)
             .where(SurveyVersion.survey_id == survey.id).order_by(Response.id))
    for response, number, doctor_id in db.session.execute(query):
        answers = response.answers
        rows.append([response.id, doctor_id, number, int(response.submitted_at is not None)]
                    + _cells(definition, answers, response.typed_answers(definition)))
        ids.append(response.registrant_id)
    return Dataset(variables(definition), rows, ids)


def codebook(data: Dataset) -> tuple[list[str], list[list]]:
    """Return the codebook's header and rows: one row per variable, words in both languages
    side by side (``*_en`` and ``*_ja``), as the survey itself has them."""
    missing = ["; ".join(f"{words[i]}={code}" for code, words in MISSING.items())
               for i in (0, 1)]
    header = ["variable", "type", "label_en", "label_ja", "value_codes_en", "value_codes_ja",
              "missing_codes_en", "missing_codes_ja"]
    rows = []
    for v in data.variables:
        coded = v.type == "numeric" and v.name not in ("response_id", "survey_version",
                                                         "complete")
        rows.append([v.name, v.type, v.label_en, v.label_ja,
                     *("; ".join(f"{code}={words[i]}" for code, words in v.values.items())
                       for i in (0, 1)),
                     *(missing if coded else ["", ""])])
    return header, rows


def csv_zip(data: Dataset, slug: str) -> bytes:
    """Return a zip with the responses and the codebook as Excel-ready CSV."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{slug}.csv", exports.csv_text([v.name for v in data.variables],
                                                         data.rows))
        archive.writestr(f"{slug}_codebook.csv", exports.csv_text(*codebook(data)))
    return buffer.getvalue()


def write(data: Dataset, slug: str, fmt: str, folder: Path) -> list[Path]:
    """Write the dataset into ``folder`` in a format; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        paths = [folder / f"{slug}.csv", folder / f"{slug}_codebook.csv"]
        paths[0].write_text(exports.csv_text([v.name for v in data.variables], data.rows),
                            encoding="utf-8")
        paths[1].write_text(exports.csv_text(*codebook(data)), encoding="utf-8")
        return paths
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(data.rows, columns=[v.name for v in data.variables])
    for v in data.variables:
        if v.type == "numeric":
            frame[v.name] = pd.to_numeric(frame[v.name])
        else:
            frame[v.name] = frame[v.name].astype(str)
    labels = [v.label_en for v in data.variables]
    value_labels = {v.name: {**{code: en for code, (en, _ja) in v.values.items()},
                             **({code: en for code, (en, _ja) in MISSING.items()}
                                if v.name in _coded_names(data) else {})}
                    for v in data.variables if v.values or v.name in _coded_names(data)}
    if fmt == "dta":  # Stata labels only whole-number columns
        value_labels = {name: labels_ for name, labels_ in value_labels.items()
                        if frame[name].dtype.kind in "iu"}
    path = folder / f"{slug}.{fmt}"
    if fmt == "sav":
        pyreadstat.write_sav(frame, str(path), column_labels=labels,
                             variable_value_labels=value_labels,
                             missing_ranges={name: [NOT_APPLICABLE, NO_ANSWER]
                                             for name in _coded_names(data)})
    else:
        pyreadstat.write_dta(frame, str(path), column_labels=[label[:80] for label in labels],
                             variable_value_labels=value_labels)
    return [path]


def _coded_names(data: Dataset) -> set[str]:
    """The numeric answer variables, which carry the missing-value codes."""
    return {v.name for v in data.variables[len(_fixed()):] if v.type == "numeric"}
