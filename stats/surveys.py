"""Closed surveys' coded answers as catalogue tables: specs made from data, not code.

The app passes one :class:`SurveyAnswers` per closed survey: its coded variables (single
choices, Likert items, matrix rows, each option of a multiple choice, a country grouped into
Japan and other countries) and one row per *submitted* response of an active registrant:
``pid`` (joins ``people.pid``; dropped like every key) and one column per variable holding
the answer's code, :data:`NOT_APPLICABLE` (the question was hidden by its conditions) or
:data:`NO_ANSWER` (shown, left empty).  Free text, numbers and dates never come here.

:func:`extend` adds the survey's columns to the extract and returns its tables, which then
go through the same path as every catalogue table (tabulation, linkage, suppression, the
joint interval audit, rounding carried across the releases of a series):

* ``survey.<slug>.v<version>`` -- every registrant of the extract by completion cohort and
  whether they responded: an *audit-only* table, never published.  Its "Responded" column
  is the answer tables' row totals and its "Total" column the catalogue's registrants by
  cohort, so its equations ("respondents + others = registrants counted elsewhere", the
  others unknown and at least zero) tell the joint audit that respondents are a subset of
  people counted in the other tables: a published count of respondents bounds a hidden
  count of registrants from below, and the audit sees it.
* ``survey.<slug>.v<version>.<variable>`` -- respondents by completion cohort and answer.
  "Not applicable" and "No answer" are columns of their own, so every table of one survey
  counts all its respondents: their row totals are the same cells (one key in the linkage)
  as the "Responded" column above, and hiding one hides it everywhere.  A multiple choice
  is one table per option (selected, not selected), so every row adds up to its total.
  Answer tables use the sensitive rule, as the catalogue does for distributions: a cohort
  whose respondents nearly all gave one answer would disclose that answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stats.catalogue import SURVEY_PREFIX, TableSpec, Texts

NOT_APPLICABLE, NO_ANSWER = "Not applicable", "No answer"
RESPONDED, NOT_RESPONDED = "Responded", "Did not respond"
MISSING = ((NOT_APPLICABLE, "Not applicable", "非該当"), (NO_ANSWER, "No answer", "無回答"))
COHORT = ("cohort_band", "Completion cohort (fiscal years)", "修了年度コホート")
NOTE = ("Respondents are registrants active on the date of the release who submitted the "
        "survey before that date; partial responses do not count. 'Not applicable': the "
        "question was not shown to them; 'No answer': shown and left empty.",
        "回答者は、公表基準日に有効な登録者のうち、その日までに調査票を提出した人です。"
        "回答途中のものは数えません。「非該当」は質問が表示されなかった人、"
        "「無回答」は表示されたが回答しなかった人です。")

RELEASE_NOTE = ("Tables whose id starts with 'survey.' count the submitted answers of closed "
                "surveys by completion cohort; they were protected together with every other "
                "table, knowing that respondents are registrants counted in the other tables.")


@dataclass(frozen=True)
class CodedVariable:
    """One coded answer variable: its name, label (en, ja) and codes (code, en, ja)."""

    name: str
    label: tuple[str, str]
    values: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class SurveyAnswers:
    """A closed survey's coded variables and its respondents' codes, one row each."""

    slug: str
    version: int
    title: tuple[str, str]
    variables: tuple[CodedVariable, ...]
    answers: pd.DataFrame

    @property
    def table_id(self) -> str:
        return f"survey.{self.slug}.v{self.version}"

    @property
    def column(self) -> str:
        return f"{SURVEY_PREFIX}{self.slug}"

    def variable_column(self, variable: CodedVariable) -> str:
        return f"{self.column}:{variable.name}"

    def metadata(self) -> dict:
        """Return what the release records about the survey (no counts: they are cells)."""
        return {"slug": self.slug, "version": self.version, "title_en": self.title[0],
                "title_ja": self.title[1], "variables": [v.name for v in self.variables]}


def validate(survey: SurveyAnswers) -> None:
    """Raise ValueError naming the survey and variable of any code it does not declare."""
    answers = survey.answers
    missing = [c for c in ("pid", *(v.name for v in survey.variables)) if c not in answers]
    if missing:
        raise ValueError(f"survey {survey.slug}: answers lack column(s) {missing}")
    if answers["pid"].duplicated().any():
        raise ValueError(f"survey {survey.slug}: one response per registrant")
    for variable in survey.variables:
        known = {code for code, _en, _ja in variable.values} | {NOT_APPLICABLE, NO_ANSWER}
        given = answers[variable.name].astype("string").fillna(NO_ANSWER)
        unknown = given[~given.isin(known)]
        if len(unknown):
            raise ValueError(f"survey {survey.slug}: {variable.name} has undeclared "
                             f"code(s) {sorted(set(unknown))}")


def _texts(survey: SurveyAnswers, title: tuple[str, str], column: str,
           dimension: tuple[str, str], values: Sequence[tuple[str, str, str]]) -> Texts:
    return Texts(title=title, note=NOTE,
                 dimensions=(COHORT, (column, *dimension)),
                 values=tuple((column, code, en, ja) for code, en, ja in values))


def tables(survey: SurveyAnswers) -> tuple[TableSpec, ...]:
    """Return the survey's tables: who responded (audit only), then one per variable."""
    source = f"survey:{survey.slug}:v{survey.version}"
    en, ja = survey.title
    respondents = ((survey.column, (RESPONDED,)),)
    specs = [TableSpec(
        id=survey.table_id, title=f"{en}: registrants by completion cohort and response",
        rows=("cohort_band",), column=survey.column, source=source, audit_only=True)]
    for variable in survey.variables:
        column = survey.variable_column(variable)
        title = (f"{en}: {variable.label[0]}", f"{ja}：{variable.label[1]}")
        specs.append(TableSpec(
            id=f"{survey.table_id}.{variable.name}", title=title[0], rows=("cohort_band",),
            column=column, population=respondents, sensitive=True, source=source,
            texts=_texts(survey, title, column, ("Answer", "回答"),
                         (*variable.values, *MISSING))))
    return tuple(specs)


def columns(pids: pd.Series, survey: SurveyAnswers) -> pd.DataFrame:
    """Return the survey's extract columns, aligned with ``pids`` (the extract's people).

    Responses of people not in the extract (not active on the date) are left out; people
    who did not respond have no answer code (NA), and no table counts them by answer.
    """
    validate(survey)
    position = pd.Index(pids).get_indexer(survey.answers["pid"])
    present = position >= 0
    rows = position[present]
    responded = np.zeros(len(pids), dtype=bool)
    responded[rows] = True
    out = {survey.column: pd.Categorical.from_codes(
        np.where(responded, 0, 1), categories=[RESPONDED, NOT_RESPONDED])}
    for variable in survey.variables:
        labels = [*(code for code, _en, _ja in variable.values), NOT_APPLICABLE, NO_ANSWER]
        given = survey.answers[variable.name].astype("string").fillna(NO_ANSWER)
        codes = np.full(len(pids), -1, dtype=np.int16)
        codes[rows] = pd.Categorical(given[present], categories=labels).codes
        out[survey.variable_column(variable)] = pd.Categorical.from_codes(codes, labels)
    return pd.DataFrame(out, index=pids.index)


def extend(extract: pd.DataFrame, pids: pd.Series, surveys: Sequence[SurveyAnswers]
           ) -> tuple[pd.DataFrame, tuple[TableSpec, ...]]:
    """Return the extract with every survey's columns, and every survey's tables."""
    slugs = [s.slug for s in surveys]
    if len(set(slugs)) != len(slugs):
        raise ValueError(f"a survey is given twice: {slugs}")
    if not surveys:
        return extract, ()
    pids = pids.reset_index(drop=True).set_axis(extract.index)
    added = [columns(pids, survey) for survey in surveys]
    specs = tuple(spec for survey in surveys for spec in tables(survey))
    return pd.concat([extract, *added], axis=1), specs
