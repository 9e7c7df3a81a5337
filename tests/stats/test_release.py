"""Invariants that hold on every table of a release."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from stats.catalogue import CATALOGUE, CATALOGUE_VERSION, EXCLUSIVE, table, with_breakdowns
from stats.release import Release, build_release, release_extract
from stats.tabulate import TOTAL, build_cube
from tests.stats import AS_OF, make_population

THRESHOLD, BASE, MIN_DENOMINATOR = 10, 5, 25


@pytest.fixture(scope="module")
def population() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_population(20000, seed=7)  # large enough for every table to say something


@pytest.fixture(scope="module")
def release(population) -> Release:
    return build_release(*population, AS_OF, threshold=THRESHOLD, rounding_base=BASE,
                         min_denominator=MIN_DENOMINATOR)


def _published(release: Release):
    return [t for t in release.tables.values() if not t.withheld]


def test_every_catalogue_table_and_breakdown_is_in_the_release_and_most_are_published(
        release):
    assert list(release.tables) == [spec.id for spec in with_breakdowns()]
    published = _published(release)
    assert sum(t.spec.breakdown_of is None for t in published) >= len(CATALOGUE) - 1
    assert len(published) >= 0.8 * len(release.tables)
    for t in published:
        assert (t.flags.to_numpy() == "").sum() > 0, f"{t.spec.id} publishes nothing"


def test_each_published_count_is_zero_hidden_or_a_multiple_of_five_at_least_threshold(release):
    for t in _published(release):
        values, flags = t.counts.to_numpy(dtype=float, na_value=np.nan), t.flags.to_numpy()
        assert (np.isnan(values) == (flags != "")).all(), t.spec.id
        shown = values[~np.isnan(values)]
        assert ((shown == 0) | ((shown >= THRESHOLD) & (shown % BASE == 0))).all(), t.spec.id


def test_each_published_percentage_has_a_denominator_of_at_least_25(population, release):
    extract = release_extract(*population, release)
    share_tables = [t for t in _published(release) if t.spec.measure == "row_share"]
    assert share_tables
    for t in share_tables:
        exact = build_cube(extract, t.spec)
        denominators = exact.counts[..., -1].reshape(-1)
        shares = t.frame.drop(columns="n").to_numpy(dtype=float, na_value=np.nan)
        published_rows = ~np.isnan(shares).all(axis=1)
        assert published_rows.any()
        assert (denominators[published_rows] >= MIN_DENOMINATOR).all(), t.spec.id
        assert ((shares[~np.isnan(shares)] >= 0) & (shares[~np.isnan(shares)] <= 100)).all()


def test_totals_shared_by_tables_have_the_same_value_and_the_same_suppression(release):
    abroad = release.tables["working_abroad_by_field"].counts[TOTAL]
    income = release.tables["income_by_field"].counts[TOTAL]
    by_sex = release.tables["sector_by_sex_field"].counts.xs(TOTAL, level="sex")[TOTAL]
    pd.testing.assert_series_equal(abroad, income, check_names=False)
    pd.testing.assert_series_equal(abroad, by_sex, check_names=False)
    assert abroad.notna().sum() >= 5, "the field totals are mostly published"


def test_grand_total_is_rounded_from_the_exact_count(population, release):
    people, _ = population
    grand = release.tables["registrants_by_status_field"].counts.loc[TOTAL, TOTAL]
    assert grand == (len(people) + BASE // 2) // BASE * BASE


def test_release_metadata_is_json_and_names_rules_version_and_counts(release):
    meta = json.loads(json.dumps(release.to_dict()))
    assert meta["as_of"] == AS_OF.isoformat()
    assert meta["catalogue_version"] == CATALOGUE_VERSION
    assert meta["rules"]["threshold"] == THRESHOLD
    assert meta["rules"]["rounding_base"] == BASE
    assert meta["rules"]["min_denominator"] == MIN_DENOMINATOR
    assert meta["withheld"] == list(release.withheld)
    assert meta["hidden_by_rule"]["x"] == sum(t["hidden_by_rule"]["x"] for t in meta["tables"])
    assert meta["hidden_by_rule"]["x"] > 0
    assert {t["id"] for t in meta["tables"]} == set(release.tables)


def test_every_hidden_cell_has_one_sign_and_the_reasons_stay_internal(release):
    """A published sign per reason would say more than the cell ("x" below the threshold,
    "s" at least as large, "r" naming a dominant category): one sign, "x", for all."""
    meta = json.loads(json.dumps(release.to_dict()))
    assert meta["flags"] == {"x": "not published"}
    assert set(meta["hidden_by_rule"]) == {"x"}
    assert all(set(t["hidden_by_rule"]) == {"x"} for t in meta["tables"])
    assert "hidden_by_reason" not in json.dumps(meta)
    signs = set()
    for t in _published(release):
        signs |= set(np.unique(t.flags.to_numpy()))
        assert t.hidden_by_rule["x"] == (t.flags.to_numpy() == "x").sum(), t.spec.id
    assert signs == {"", "x"}
    # The internal record still knows why, cell counts by rule (small, secondary, ...).
    assert release.hidden_by_reason["x"] > 0 and release.hidden_by_reason["s"] > 0
    for t in _published(release):
        assert sum(t.hidden_by_reason.values()) == t.hidden_by_rule["x"], t.spec.id


def test_a_release_cannot_continue_a_series_built_with_other_rules(population, release):
    with pytest.raises(ValueError, match="different rules"):
        build_release(*population, AS_OF, threshold=20, previous=release,
                      tables=(table("income_by_field"),))


def test_analysts_may_only_swap_in_allowed_dimensions():
    spec = table("income_by_field")
    assert spec.with_dimensions(rows=("sex",)).rows == ("sex",)
    with pytest.raises(ValueError, match="does not allow"):
        spec.with_dimensions(rows=("university_group",))


def test_breakdowns_are_two_way_over_the_tables_population_in_allowed_dimensions_only():
    ids = [spec.id for spec in with_breakdowns()]
    assert len(ids) == len(set(ids))
    for spec in CATALOGUE:
        breakdowns = spec.breakdowns()
        assert breakdowns, spec.id
        for b in breakdowns:
            assert b.breakdown_of == spec.id and len(b.rows) == 1
            assert b.rows[0] in spec.allowed and b.rows[0] not in spec.dimensions
            assert (b.column, b.measure, b.population, b.excluding, b.sensitive) == \
                (spec.column, spec.measure, spec.population, spec.excluding, spec.sensitive)
            assert not EXCLUSIVE <= {*b.dimensions}
    with pytest.raises(ValueError, match="never crossed"):
        table("sector_by_field_years_since").with_dimensions(rows=("cohort_band",),
                                                             column="years_since_band")


def test_a_breakdown_publishes_its_total_row_exactly_as_the_table_it_breaks_down(release):
    """Same people, same cells: one value and one suppression, or comparing would tell."""
    base = release.tables["income_by_field"]
    checked = 0
    for dim in ("sex", "cohort_band", "sector"):
        breakdown = release.tables[f"income_by_field.{dim}"]
        if breakdown.withheld:
            continue
        checked += 1
        pd.testing.assert_series_equal(breakdown.counts.loc[TOTAL], base.counts.loc[TOTAL],
                                       check_names=False)
        pd.testing.assert_series_equal(breakdown.flags.loc[TOTAL], base.flags.loc[TOTAL],
                                       check_names=False)
    assert checked >= 2, "most breakdowns of income by field are published at 3,000 people"


def test_a_sparse_table_is_withheld_and_the_series_keeps_the_decision():
    """A table whose own rules would hide most of it is withheld, with the reason, before the
    rest are protected; the next release of the series keeps the decision even when the
    population has grown, so no arrival turns a table on or off; a new series decides again."""
    from stats.protect import SPARSE_REASON

    small = make_population(300, seed=7)
    first = build_release(*small, AS_OF)
    sparse = [tid for tid, t in first.tables.items() if t.withheld == SPARSE_REASON]
    assert "employment_term_by_sector_cohort" in sparse and len(sparse) < len(first.tables) / 4
    for tid in sparse:
        assert first.tables[tid].frame is None and first.tables[tid].flags is None
    large = make_population(20000, seed=7)
    continued = build_release(*large, AS_OF, previous=first)
    assert [tid for tid, t in continued.tables.items() if t.withheld == SPARSE_REASON] \
        == sparse
    fresh = build_release(*large, AS_OF)
    assert not any(t.withheld for t in fresh.tables.values())
