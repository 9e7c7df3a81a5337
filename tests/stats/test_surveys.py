"""Survey tables in a release: made from data, protected and linked like every other table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stats.catalogue import table
from stats.extract import deidentify
from stats.linkage import cell_definitions
from stats.release import build_release, release_extract
from stats.surveys import (
    NO_ANSWER, NOT_APPLICABLE, CodedVariable, SurveyAnswers, extend, tables, validate,
)
from stats.tabulate import TOTAL, build_cube
from tests.stats import AS_OF, check_against_truth, make_population

SCALE = tuple((str(code), f"level {code}", f"レベル{code}") for code in range(1, 5))
SELECTED = (("1", "Selected", "選択"), ("0", "Not selected", "非選択"))


def _survey(people: pd.DataFrame, n: int, seed: int = 3) -> SurveyAnswers:
    """Return a survey answered by ``n`` of ``people``: a scale and one option."""
    rng = np.random.default_rng(seed)
    respondents = people["pid"].sample(n, random_state=seed).to_numpy()
    scale = rng.choice([*(c for c, _en, _ja in SCALE), NOT_APPLICABLE, NO_ANSWER], size=n,
                       p=[0.4, 0.3, 0.15, 0.05, 0.06, 0.04])
    option = rng.choice(["1", "0", NOT_APPLICABLE], size=n, p=[0.3, 0.6, 0.1])
    answers = pd.DataFrame({"pid": respondents, "scale": scale, "reason___2": option})
    variables = (CodedVariable("scale", ("Scale", "尺度"), SCALE),
                 CodedVariable("reason___2", ("Reason: two", "理由：二"), SELECTED))
    return SurveyAnswers("wave", 1, ("Wave", "調査"), variables, answers)


@pytest.fixture(scope="module")
def population():
    return make_population(3000, seed=7)


@pytest.fixture(scope="module")
def survey(population):
    return _survey(population[0], 900)


@pytest.fixture(scope="module")
def release(population, survey):
    return build_release(*population, AS_OF, surveys=[survey])


def test_a_survey_is_refused_with_its_slug_and_variable_when_its_codes_are_not_declared(
        survey):
    answers = survey.answers.copy()
    answers.loc[0, "scale"] = "7"
    with pytest.raises(ValueError, match=r"survey wave: scale has undeclared code\(s\) \['7'\]"):
        validate(SurveyAnswers(survey.slug, 1, survey.title, survey.variables, answers))
    with pytest.raises(ValueError, match="one response per registrant"):
        validate(SurveyAnswers(survey.slug, 1, survey.title, survey.variables,
                               pd.concat([survey.answers, survey.answers.head(1)])))
    with pytest.raises(ValueError, match="lack column"):
        validate(SurveyAnswers(survey.slug, 1, survey.title, survey.variables,
                               survey.answers.drop(columns="scale")))


def test_published_survey_cells_are_the_true_counts_rounded_and_small_cells_hidden(
        population, survey, release):
    people, spells = population
    cohort = release_extract(people, spells, release)["cohort_band"].astype(str)
    cohort.index = people["pid"].to_numpy()
    answers = survey.answers.assign(cohort=cohort.loc[survey.answers["pid"]].to_numpy())
    assert "survey.wave.v1" not in release.tables  # the audit-only table is not published
    checked = published = 0
    for name in ("scale", "reason___2"):
        true = pd.crosstab(answers["cohort"], answers[name], margins=True, margins_name=TOTAL)

        def exact(band, code):
            return int(true.loc[band, code]) if band in true.index and \
                code in true.columns else 0
        counted = check_against_truth(release.tables[f"survey.wave.v1.{name}"], exact)
        checked, published = checked + counted[0], published + counted[1]
    assert checked > 100 and published > 20, (checked, published)


def test_every_table_of_a_survey_shares_its_row_totals_and_the_audit_links_them_to_cohorts(
        population, survey):
    """The linkage gives one key to cells counting the same people, so hiding spreads."""
    people, spells = population
    extract, specs = extend(deidentify(people, spells, AS_OF), people["pid"], [survey])
    domains = {c: tuple(extract[c].cat.categories) for c in extract.columns
               if isinstance(extract[c].dtype, pd.CategoricalDtype)}

    def definitions(spec):
        return cell_definitions(build_cube(extract, spec), spec, domains)

    audit_only, scale, option = specs
    assert audit_only.audit_only and not scale.audit_only and scale.sensitive
    linking, by_scale, by_option = map(definitions, specs)
    responded = linking[:, 0]
    assert (by_scale[:, -1] == responded).all() and (by_option[:, -1] == responded).all()
    # The audit-only "Total" column is the catalogue's completers by cohort.
    completers = table("completers_by_status_field_cohort")
    catalogue = definitions(completers)[-1, -1, :-1]  # every status, every field, by cohort
    bands = list(build_cube(extract, completers).labels[-1])
    for i, band in enumerate(build_cube(extract, audit_only).labels[0]):
        if band in bands:
            assert linking[i, -1] == catalogue[bands.index(band)], band


def test_one_more_respondent_in_a_series_changes_no_published_survey_figure(population):
    people, spells = population
    first_survey = _survey(people, 900)
    first = build_release(people, spells, AS_OF, surveys=[first_survey])
    newcomer = people.loc[~people["pid"].isin(first_survey.answers["pid"]), "pid"].iloc[0]
    more = pd.concat([first_survey.answers, pd.DataFrame(
        {"pid": [newcomer], "scale": ["1"], "reason___2": ["0"]})], ignore_index=True)
    second_survey = SurveyAnswers("wave", 1, first_survey.title, first_survey.variables, more)
    second = build_release(people, spells, AS_OF, previous=first, surveys=[second_survey])
    compared = 0
    for table_id, before in first.tables.items():
        if table_id.startswith("survey."):
            after = second.tables[table_id]
            pd.testing.assert_frame_equal(before.frame, after.frame, obj=table_id)
            pd.testing.assert_frame_equal(before.flags, after.flags, obj=table_id)
            compared += 1
    assert compared == 2


def test_a_survey_without_respondents_publishes_nothing_and_does_not_fail(population):
    people, spells = population
    empty = _survey(people, 900)
    empty = SurveyAnswers("empty", 2, empty.title, empty.variables, empty.answers.head(0))
    release = build_release(people, spells, AS_OF, surveys=[empty])
    made = [t for tid, t in release.tables.items() if tid.startswith("survey.empty.v2.")]
    assert [t.spec.id for t in made] == [s.id for s in tables(empty)[1:]]
    for survey_table in made:
        # Nothing but zeros, and only where another table shows the group empty (a cohort
        # no one is in: stats.empty), as a reader would infer all the same.
        assert survey_table.withheld or ((survey_table.flags.to_numpy() != "")
                                         | (survey_table.counts.to_numpy(na_value=-1) == 0)).all()
    assert release.to_dict()["surveys"][0]["slug"] == "empty"
