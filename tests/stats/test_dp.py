"""Rule 10 by differential privacy (stats.dp): every cell published, noise as calibrated,
nothing chosen from the data, and the sensitivity bound holding for the people who change
the counts most."""
from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from stats.catalogue import with_breakdowns
from stats.dp import (
    DELTA, build_dp_release, cells_per_person, cells_per_table, epsilon, fixed_categories,
    measure, noise_scale,
)
from stats.extract import deidentify
from stats.linkage import cell_definitions, link_keys
from stats.tabulate import build_cube
from tests.stats import AS_OF, add_person, make_population

TYPES = ("national", "public", "private")
WORKING_GRADUATE = {"birth_year": 1985, "sex": "female", "nationality": "VN",
                    "university": "University 00", "university_type": "national",
                    "field": "10", "status": "degree_awarded",
                    "status_date": date(2023, 9, 30), "entry_date": date(2020, 4, 1)}
SPELL = {"labour_status": "employed", "sector": "non_profit", "postdoc": True,
         "employment_term": "fixed_term", "income_band": "ge15m", "country": "US"}


@pytest.fixture(scope="module")
def population() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_population(3000, seed=5)


@pytest.fixture(scope="module")
def release(population):
    people, spells = population
    return build_dp_release(people, spells, AS_OF, rho=0.5, university_types=TYPES)


def _truth(population, spec) -> np.ndarray:
    people, spells = population
    extract = fixed_categories(deidentify(people, spells, AS_OF, min_country_size=10**12,
                                          min_university_size=10**12), TYPES)
    return build_cube(extract, spec).counts


def test_every_count_is_published_with_noise_of_the_stated_size(release, population):
    privacy = release.privacy
    tables = with_breakdowns()
    assert 0 < privacy["cells_per_person"] <= cells_per_table(tables) == 244
    scale = noise_scale(0.5, privacy["cells_per_person"])
    assert privacy["noise_sd"] == pytest.approx(scale, abs=1e-3)
    assert privacy["margin_95"] == math.ceil(1.96 * scale)
    errors = []
    for spec in tables:
        table = release.tables[spec.id]
        assert table.withheld is None and table.margin == privacy["margin_95"]
        assert (table.counts.to_numpy() >= 0).all()  # post-processing: never negative
        if spec.measure == "count":
            assert (table.flags.to_numpy() == "").all(), spec.id  # nothing hidden
        published = table.counts.to_numpy(dtype=float).reshape(-1)
        true = _truth(population, spec).reshape(-1)
        large = true > 4 * scale  # clamping at zero does not touch these
        errors.append(published[large] - true[large])
    errors = np.concatenate(errors)
    assert len(errors) > 1000
    # Cells counting the same people share one draw, so these are a few hundred draws: the
    # bounds sit six standard errors out (over 25 releases the mean ranged -0.12 to 0.14
    # scales and the spread 0.92 to 1.11); the mechanism's own calibration is checked on
    # many draws below.
    assert abs(errors.mean()) < 0.4 * scale
    assert 0.7 * scale < errors.std() < 1.3 * scale


def test_the_mechanism_draws_noise_of_the_stated_scale():
    """OpenDP's draws, 40,000 of them: centred, with the scale asked for (standard errors
    of 0.005 scales for the mean and 0.4 % for the spread), and the loss it reports the
    loss the scale was set for."""
    scale = noise_scale(0.5, 102)
    counts = np.tile([0, 7, 100, 5000], 10_000)
    noisy = measure(counts, scale, 102, 0.5)
    errors = noisy - counts
    assert noisy.dtype.kind == "i" and len(noisy) == len(counts)
    assert abs(errors.mean()) < 0.03 * scale
    assert 0.97 * scale < errors.std() < 1.03 * scale
    with pytest.raises(RuntimeError, match="more than"):
        measure(counts[:4], scale, 103, 0.5)  # one more cell per person than the scale covers


def test_tables_agree_where_they_count_the_same_people(release):
    """A breakdown's grand total is the same measurement as its table's."""
    base = release.tables["registrants_by_status_field"].counts
    breakdown = release.tables["registrants_by_status_field.sex"].counts
    assert base.iloc[-1, -1] == breakdown.iloc[-1, -1]
    pd.testing.assert_series_equal(base.iloc[-1], breakdown.iloc[-1], check_names=False)


def test_categories_do_not_depend_on_the_data():
    """Which nationalities and universities get a row would tell who is there: they are
    fixed (Japan / other / unknown; universities by type from the public list), so a large
    university is never named, and two very different populations give the same shapes."""
    small_people, small_spells = make_population(200, seed=1)
    large_people, large_spells = make_population(4000, seed=2)
    large_people["university"] = "University 00"  # 4,000 registrants at one university
    large_people["university_type"] = "national"
    releases = [build_dp_release(p, s, AS_OF, rho=1.0, university_types=TYPES)
                for p, s in ((small_people, small_spells), (large_people, large_spells))]
    for table_id, table in releases[0].tables.items():
        other = releases[1].tables[table_id].counts
        assert table.counts.index.equals(other.index), table_id
        assert list(table.counts.columns) == list(other.columns), table_id
    groups = releases[1].tables["registrants_by_status_field.university_group"].counts
    assert "University 00" not in groups.index
    assert set(groups.index) == {"Other national universities", "Other public universities",
                                 "Other private universities", "Other universities", "Total"}
    nationality = releases[1].tables["registrants_by_status_field.nationality_group"].counts
    assert list(nationality.index) == ["JP", "Other", "Unknown", "Total"]


def test_a_university_type_missing_from_the_public_list_is_refused(population):
    people, spells = population
    with pytest.raises(ValueError, match="public list"):
        build_dp_release(people, spells, AS_OF, rho=0.5, university_types=("national",))
    with pytest.raises(ValueError, match="rho"):
        build_dp_release(people, spells, AS_OF, rho=0.0, university_types=TYPES)


OTHERS = [  # (person, spell) pairs unlike one another in every filtered column
    ({**WORKING_GRADUATE, "status": "enrolled", "status_date": date(2024, 4, 1)}, None),
    ({**WORKING_GRADUATE, "status": "withdrawn"}, {**SPELL, "labour_status": "seeking",
                                                    "sector": None, "postdoc": None,
                                                    "employment_term": None,
                                                    "income_band": None}),
    ({**WORKING_GRADUATE, "status": "completed_without_degree",
      "status_date": date(2009, 3, 31)}, {**SPELL, "labour_status": "self_employed",
                                          "sector": "self_employed"}),
    ({**WORKING_GRADUATE, "status_date": date(2001, 3, 31)}, SPELL),
]


def test_one_person_changes_no_more_measurements_than_the_noise_is_set_for(population):
    """The sensitivity bound, checked by adding people to the population: the most counted
    (a working, employed graduate, in every table's population) and people unlike them in
    every column a population filters on.  Each changes the true counts of at most
    ``cells_per_person`` distinct measurements, each by one; the bound is reached, so it is
    not loose; a subset of the catalogue gets its own, smaller bound."""
    people, spells = population
    extract = fixed_categories(deidentify(people, spells, AS_OF, min_country_size=10**12,
                                          min_university_size=10**12), TYPES)
    for tables in (with_breakdowns(), with_breakdowns()[:9]):
        cubes = [build_cube(extract, spec) for spec in tables]
        domains = {c: tuple(extract[c].cat.categories) for c in extract.columns
                   if isinstance(extract[c].dtype, pd.CategoricalDtype)}
        keys = link_keys([cell_definitions(c, s, domains) for c, s in zip(cubes, tables)])
        bound = cells_per_person(tables, cubes, keys, domains)
        assert bound <= cells_per_table(tables)
        changed = []
        for person, spell in [(WORKING_GRADUATE, SPELL), *OTHERS]:
            if spell is None:
                with_x = add_person(people, spells, person, SPELL)
                with_x = (with_x[0], with_x[1].iloc[:-1])  # no current career
            else:
                with_x = add_person(people, spells, person, spell)
            moved = _changed_measurements(population, with_x, tables)
            assert max(moved.values()) == 1
            changed.append(len(moved))
        assert max(changed) <= bound, (changed, bound)
        assert changed[0] == bound  # the working graduate is in as many as anyone can be


def _changed_measurements(before, after, tables) -> dict:
    out: dict = {}
    counts = {}
    for name, (people, spells) in (("before", before), ("after", after)):
        extract = fixed_categories(deidentify(people, spells, AS_OF, min_country_size=10**12,
                                              min_university_size=10**12), TYPES)
        cubes = [build_cube(extract, spec) for spec in tables]
        domains = {c: tuple(extract[c].cat.categories) for c in extract.columns
                   if isinstance(extract[c].dtype, pd.CategoricalDtype)}
        keys = link_keys([cell_definitions(c, s, domains) for c, s in zip(cubes, tables)])
        counts[name] = {int(k): int(v) for cube, key in zip(cubes, keys)
                        for k, v in zip(key.ravel(), cube.counts.ravel())}
    for key, value in counts["after"].items():
        if value != counts["before"][key]:
            out[key] = abs(value - counts["before"][key])
    return out


def test_epsilon_is_what_zcdp_gives():
    """OpenDP's conversion, checked against the textbook bound
    epsilon <= rho + 2 sqrt(rho log(1/delta)) (Bun and Steinke, 2016)."""
    for rho in (0.1, 0.5, 2.0):
        bound = rho + 2 * math.sqrt(rho * math.log(1 / DELTA))
        assert 0 < epsilon(rho) <= bound + 1e-9
        assert epsilon(rho) > 0.8 * bound
    assert epsilon(0.5) < epsilon(2.0)


def test_year_so_far_is_stated(population):
    people, spells = population
    release = build_dp_release(people, spells, AS_OF, rho=0.5, university_types=TYPES,
                               spent_this_year=1.0)
    assert release.privacy["rho_this_year"] == 1.5
    assert release.privacy["epsilon_this_year"] == pytest.approx(epsilon(1.5), abs=1e-3)
    meta = release.to_dict()
    assert meta["method"] == "differential_privacy"
    margin = release.privacy["margin_95"]
    assert meta["rules"]["rho"] == 0.5 and meta["rules"]["margin_95"] == margin > 0
    assert all(t["margin_95"] == margin for t in meta["tables"])
