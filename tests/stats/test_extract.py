"""The de-identified extract keeps only generalised, non-identifying columns."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from stats.extract import EXTRACT_COLUMNS, deidentify, fiscal_year
from tests.stats import AS_OF, make_population


def _one(**overrides) -> tuple[pd.DataFrame, pd.DataFrame]:
    person = {"pid": 1, "birth_year": 1980, "sex": "female", "nationality": "JP",
              "university": "Tiny University", "university_type": "national", "field": "05",
              "status": "degree_awarded", "status_date": date(2021, 3, 31),
              "entry_date": date(2017, 4, 1)}
    spell = {"pid": 1, "labour_status": "employed", "sector": "non_profit", "postdoc": False,
             "employment_term": "permanent", "income_band": "ge15m", "country": "FR"}
    person.update({k: v for k, v in overrides.items() if k in person})
    spell.update({k: v for k, v in overrides.items() if k in spell})
    return pd.DataFrame([person]), pd.DataFrame([spell])


def test_extract_has_no_key_name_or_free_text_columns():
    people, spells = make_population(2000, seed=3)
    people["name"] = "Hanako Yamada"  # extra input columns must not leak through
    extract = deidentify(people, spells, AS_OF)
    assert list(extract.columns) == list(EXTRACT_COLUMNS)
    assert not {"pid", "name", "university", "nationality", "country", "birth_year",
                "status_date", "entry_date"} & set(extract.columns)
    assert len(extract) == len(people)
    # Every text column is a categorical of fixed labels: no free text can pass.
    text = [c for c in extract.columns if c not in ("completion_fy", "years_since_completion")]
    assert all(isinstance(extract[c].dtype, pd.CategoricalDtype) for c in text)
    assert "Hanako Yamada" not in extract.astype(str).to_numpy()


def test_small_universities_and_countries_are_generalised():
    people, spells = make_population(3000, seed=4)
    extract = deidentify(people, spells, AS_OF, min_university_size=100, min_country_size=50)
    sizes = people["university"].value_counts()
    small = set(sizes[sizes < 100].index)
    shown = set(extract["university_group"].astype(str))
    assert small and not small & shown
    assert {"Other national universities", "Other private universities"} <= shown
    big_countries = people["nationality"].value_counts()
    assert set(extract["nationality_group"].astype(str)) <= (
        {"JP", "Other", "Unknown"} | set(big_countries[big_countries >= 50].index))


@pytest.mark.parametrize("birth_year, band", [
    (1959, "<1960"), (1960, "1960-1964"), (1994, "1990-1994"), (1995, ">=1995"),
    (None, "Unknown"),
])
def test_birth_year_is_banded_with_top_and_bottom_coding(birth_year, band):
    people, spells = _one(birth_year=birth_year)
    people["birth_year"] = people["birth_year"].astype("Int64")
    assert deidentify(people, spells, AS_OF)["age_band"].iloc[0] == band


@pytest.mark.parametrize("day, fy, years, bucket", [
    (date(2021, 3, 31), 2020, 4, "4-6"),
    (date(2021, 4, 1), 2021, 3, "2-3"),
    (date(2023, 9, 30), 2023, 1, "0-1"),
    (date(2018, 9, 30), 2018, 6, "4-6"),
    (date(2010, 1, 5), 2009, 15, "7+"),
])
def test_completion_fiscal_year_and_years_since_completion(day, fy, years, bucket):
    extract = deidentify(*_one(status_date=day), AS_OF)
    assert fiscal_year(day) == fy == extract["completion_fy"].iloc[0]
    assert extract["years_since_completion"].iloc[0] == years
    assert extract["years_since_band"].iloc[0] == bucket


def test_people_still_enrolled_have_no_completion_year():
    extract = deidentify(*_one(status="enrolled"), AS_OF)
    assert extract["completion_fy"].isna().all()
    assert extract["cohort_band"].iloc[0] == "Not completed"


def test_income_is_top_coded_and_abroad_is_derived_from_the_country():
    row = deidentify(*_one(income_band="ge15m", country="FR"), AS_OF).iloc[0]
    assert row["income_band"] == ">=10m" and row["working_abroad"] == "Abroad"
    row = deidentify(*_one(income_band="10to15m", country="JP"), AS_OF).iloc[0]
    assert row["income_band"] == ">=10m" and row["working_abroad"] == "Japan"
    assert deidentify(*_one(university="Tiny University"), AS_OF)[
        "university_group"].iloc[0] == "Other national universities"


def test_missing_columns_are_named_in_the_error():
    people, spells = _one()
    with pytest.raises(ValueError, match="people is missing column.*field.*status"):
        deidentify(people.drop(columns=["field", "status"]), spells, AS_OF)
    with pytest.raises(ValueError, match="spells is missing column.*income_band"):
        deidentify(people, spells.drop(columns=["income_band"]), AS_OF)


def test_unknown_codes_and_duplicate_spells_are_refused():
    with pytest.raises(ValueError, match="people.field has unknown code"):
        deidentify(*_one(field="99"), AS_OF)
    people, spells = _one()
    with pytest.raises(ValueError, match="at most one current spell"):
        deidentify(people, pd.concat([spells, spells]), AS_OF)
