"""Rare categories merged before anything is counted (stats/aggregate.py): which merge, into
what, measured where; the same in every table; kept through a series; stated in the
release."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

from stats.aggregate import (
    NEWEST_COHORTS_KEPT, apply, choose, from_members, members, smallest_counts,
)
from stats.catalogue import with_breakdowns
from stats.extract import deidentify
from stats.published import Rules
from stats.release import AGGREGATION_NOTE, build_release, release_extract
from stats.tabulate import TOTAL
from tests.stats import AS_OF, add_person, make_population

TABLES = with_breakdowns()


@pytest.fixture(scope="module")
def population():
    return make_population(3000, seed=11)


@pytest.fixture(scope="module")
def extract(population):
    return deidentify(*population, AS_OF)


def _working(extract: pd.DataFrame) -> pd.DataFrame:
    return extract[(extract["status"] == "degree_awarded")
                   & extract["labour_status"].isin(["employed", "self_employed"])]


def test_rare_sectors_merge_by_their_count_among_the_working_not_among_everyone(extract):
    merges = choose(extract, TABLES, 50)
    employees = extract[(extract["status"] == "degree_awarded")
                        & (extract["labour_status"] == "employed")
                        & ~extract["cohort_band"].isin(["Not completed"])]
    sizes = employees["sector"].value_counts()
    rare = set(sizes.index[sizes < 50])
    # Everyone without a current job has an Unknown sector: common overall, absent at work.
    assert (extract["sector"] == "Unknown").sum() >= 50 and "Unknown" in rare
    assert set(merges["sector"]) == rare and len(rare) > 1
    assert set(merges["sector"].values()) == {"Other or unknown sector"}
    common = set(sizes.index[sizes >= 50])
    assert common and not common & set(merges["sector"])


def test_female_male_and_japan_never_merge_and_a_rare_group_grows_until_common(extract):
    merges = choose(extract, TABLES, 10**6)  # everything is rare
    assert not {"female", "male"} & set(merges.get("sex", {}))
    assert "JP" not in merges.get("nationality_group", {})
    few = choose(extract, TABLES, 50)
    sizes = smallest_counts(extract, TABLES)
    for dim in ("sex", "field", "sector", "nationality_group"):
        for label, names in members(few).get(dim, {}).items():
            assert len(names) > 1, (dim, label)  # a merge of one would only rename it
            # Every rare category, grown by the smallest others only while still rare.
            group = sizes[dim][names]
            assert group.sum() >= 50, (dim, names)
            assert (group < 50).all() or group.sum() - group.max() < 50, (dim, names)
    # Every band of an ordered dimension rare: nothing to merge them into.
    assert "age_band" not in merges and "income_band" in merges  # income: its two extras
    assert set(merges["income_band"]) == {"undisclosed", "Unknown"}


def test_bands_are_bottom_and_top_coded_and_the_newest_cohorts_are_kept():
    people, spells = make_population(3000, seed=3)
    # Most born around 1983, a few long before or after: rare bands at both ends.
    born = np.random.default_rng(3).normal(1983, 5, len(people)).round().astype(int)
    people = people.assign(birth_year=pd.array(born, dtype="Int64"))
    extract = deidentify(people, spells, AS_OF)
    merges = choose(extract, TABLES, 60)
    ages = merges["age_band"]
    bottom = [label for label in ages.values() if label.startswith("<")]
    top = [label for label in ages.values() if label.startswith(">=")]
    assert bottom and top, ages
    # "<1960" and the bands after it up to the first common one: "<19x5" or "<19x0".
    assert ages["<1960"] == bottom[0] and int(bottom[0][1:]) % 5 == 0
    cohorts = [c for c in extract["cohort_band"].cat.categories
               if c not in ("Not completed", "Unknown")]
    merged = merges.get("cohort_band", {})
    assert not set(cohorts[-NEWEST_COHORTS_KEPT:]) & set(merged)
    assert merged and all(label.startswith("before FY") for label in merged.values())
    last = max(int(c.split("-")[-1]) for c in merged if c.startswith("FY"))
    assert set(merged.values()) == {f"before FY{last + 1}"}


def test_merging_keeps_everyone_and_a_merged_count_is_its_members_sum(extract):
    merges = choose(extract, TABLES, 50)
    merged = apply(extract, merges)
    assert len(merged) == len(extract) and merged.index.equals(extract.index)
    for dim, groups in members(merges).items():
        for label, names in groups.items():
            assert (merged[dim] == label).sum() == extract[dim].isin(names).sum()
            assert not set(names) - {label} & set(merged[dim].cat.categories)
    untouched = [c for c in extract.columns if c not in merges]
    pd.testing.assert_frame_equal(merged[untouched], extract[untouched])
    assert from_members(members(merges)) == merges


def test_a_release_states_its_merges_and_every_table_uses_them(population):
    release = build_release(*population, AS_OF)
    meta = json.loads(json.dumps(release.to_dict()))
    assert meta["aggregation"] == release.merged and "sector" in meta["aggregation"]
    assert AGGREGATION_NOTE.format(50) in meta["notes"]
    assert meta["rules"]["min_category_size"] == 50
    shown: dict[str, set] = {}
    for table in release.tables.values():
        if table.counts is None:
            continue
        index = table.counts.index
        for dim in index.names:
            shown.setdefault(dim, set()).update(index.get_level_values(dim).astype(str))
        shown.setdefault(table.counts.columns.name, set()).update(table.counts.columns)
    assert "Other or unknown sector" in shown["sector"]
    for dim, groups in release.merged.items():
        gone = {name for names in groups.values() for name in names} - set(groups)
        assert gone and not gone & shown[dim], dim
    # The published counts are those of the merged extract: the total of a merged sector.
    truth = release_extract(*population, release)
    working = _working(truth)
    income = release.tables["sector_by_sex_field"].counts
    value = income.loc[(TOTAL, TOTAL), "Other or unknown sector"]
    exact = int((working["sector"] == "Other or unknown sector").sum())
    assert pd.isna(value) or abs(value - exact) <= 2


def test_a_series_keeps_its_merges_and_a_new_series_decides_again(population):
    people, spells = population
    first = build_release(people, spells, AS_OF)
    assert "non_profit" in from_members(first.merged)["sector"]
    # 80 people join, all working for a non-profit: no longer rare among the working.
    for i in range(80):
        person = {"pid": 10**6 + i, "birth_year": 1985, "sex": "female", "nationality": "JP",
                  "university": "University 00", "university_type": "national",
                  "field": "05", "status": "degree_awarded",
                  "status_date": pd.Timestamp("2015-06-30").date(),
                  "entry_date": pd.Timestamp("2012-04-01").date()}
        spell = {"labour_status": "employed", "sector": "non_profit", "postdoc": False,
                 "employment_term": "permanent", "income_band": "6to8m", "country": "JP"}
        people, spells = add_person(people, spells, person, spell)
    continued = build_release(people, spells, AS_OF, previous=first)
    assert continued.merged == first.merged
    fresh = build_release(people, spells, AS_OF)
    assert "non_profit" not in from_members(fresh.merged).get("sector", {})
    labels = fresh.tables["sector_by_sex_field"].counts.columns
    assert "non_profit" in labels


def test_a_release_stored_before_categories_merged_still_continues_its_series(population):
    people, spells = population
    old = build_release(people, spells, AS_OF, min_category_size=0)
    assert old.merged == {}  # nothing is rare below 0 people
    state = dict(old.rules.__dict__)
    state.pop("min_category_size")
    stored = pickle.loads(pickle.dumps(old))
    object.__setattr__(stored, "rules", pickle.loads(pickle.dumps(old.rules)))
    stored.rules.__setstate__(state)  # as a release pickled before the rule existed reads
    del stored.__dict__["aggregation"]
    assert stored.rules.min_category_size == 50 and stored.merged == {}
    continued = build_release(people, spells, AS_OF, previous=stored)
    assert continued.merged == {}
    assert np.array_equal(continued.tables["income_by_field"].counts.index,
                          old.tables["income_by_field"].counts.index)
    assert isinstance(Rules(), Rules) and Rules() == pickle.loads(pickle.dumps(Rules()))


def test_a_rare_unknown_joins_the_category_whose_share_no_one_reads(population):
    people, spells = population
    known = spells.assign(postdoc=spells["postdoc"].fillna(False))
    few = known.index[:3]  # three employees (or not) with no answer: rare anywhere
    known.loc[few, "postdoc"] = pd.NA
    extract = deidentify(people, known, AS_OF)
    merges = choose(extract, TABLES, 50)
    assert merges["postdoc"] == {"No": "No or unknown", "Unknown": "No or unknown"}
    merged = apply(extract, merges)
    assert (merged["postdoc"] == "Yes").sum() == (extract["postdoc"] == "Yes").sum()
    assert set(merged["postdoc"].cat.categories) == {"Yes", "No or unknown"}
    # When many did not say, "Unknown" is a category of its own.
    known.loc[known.index[:600], "postdoc"] = pd.NA
    extract = deidentify(people, known, AS_OF)
    unknown = _working(extract)["postdoc"].eq("Unknown").sum()
    assert unknown >= 100 and "postdoc" not in choose(extract, TABLES, 50)
