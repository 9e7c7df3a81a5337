"""The vectorised de-identification gives exactly the extract it always gave.

Frames of every kind the app hands over (strings with missing values and odd case, dates as
``datetime.date`` objects or as datetime64, countries and universities above and below their
thresholds) are de-identified and compared, value by value and dtype by dtype, with fixed
expectations recorded from the extract as it was before it worked on integer codes (since re-recorded
for one deliberate change: a missing nationality is "Unknown", no longer counted with Japan).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stats.extract import EXTRACT_COLUMNS, deidentify

EXPECTED = Path(__file__).with_name("extract_expected.json")
AS_OF = (dt.date(2026, 11, 30), dt.date(2010, 2, 28), dt.date(1999, 4, 1))


def _pick(values, n: int, step: int, shift: int = 0, missing: int = 0) -> pd.Series:
    """Values cycling with a stride (no random generator: the same on every machine); every
    ``missing``-th row NA."""
    index = (np.arange(n) * step + shift) % len(values)
    out = pd.Series(np.array(values, dtype=object)[index], dtype="str")
    return out.mask(np.arange(n) % missing == 0) if missing else out


def fixed_frames(n: int, dates_as_objects: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A population of ``n`` people and their spells, built arithmetically."""
    rows = np.arange(n)
    universities = [f"University {i}" for i in range(40)]
    # Popular universities and countries: the first few take most people.
    popular = _pick(universities[:4], n, 1).where(rows % 3 > 0, _pick(universities, n, 7))
    countries = ["JP"] * 10 + ["CN", "KR", "US", "TW", "jp", "Us", "VN", "ZZ"]
    day = np.datetime64("1995-01-01") + ((rows * 97) % 11800).astype("timedelta64[D]")
    status_date = pd.Series(day).mask(rows % 19 == 0)
    entry = pd.Series(np.datetime64("1995-01-01") + ((rows * 31) % 11000)
                      .astype("timedelta64[D]"))
    if dates_as_objects:
        status_date = status_date.dt.date.astype(object).where(status_date.notna(), None)
        entry = entry.dt.date
    people = pd.DataFrame({
        "pid": (rows * 7919) % n + 1 if n % 7919 else rows + 1,
        "birth_year": pd.Series(1940 + (rows * 13) % 63, dtype="Int64").mask(rows % 17 == 0),
        "sex": _pick(["female", "male", "other", "undisclosed"], n, 3, missing=29),
        "nationality": _pick(countries, n, 5, missing=23),
        "university": popular.mask(rows % 41 == 0),
        "university_type": _pick(["national", "public", "private", " Private "], n, 3, 1, 11),
        "field": _pick([f"{i:02d}" for i in range(11)], n, 4),
        "status": _pick(["enrolled", "on_leave", "degree_awarded",
                         "completed_without_degree", "withdrawn", "degree_awarded"], n, 5),
        "status_date": status_date,
        "entry_date": entry,
    })
    spelled = rows[rows % 5 != 0]
    m = len(spelled)
    spells = pd.DataFrame({
        "pid": people["pid"].to_numpy()[spelled][::-1],
        "labour_status": _pick(["employed", "self_employed", "seeking", "studying",
                                "not_in_labour_force"], m, 2, missing=31),
        "sector": _pick(["university", "public_research", "government", "company",
                         "non_profit", "self_employed", "other"], m, 3, missing=13),
        "postdoc": pd.Series(np.arange(m) % 3 == 0, dtype="boolean").mask(np.arange(m) % 7 == 0),
        "employment_term": _pick(["permanent", "fixed_term"], m, 1, missing=5),
        "income_band": _pick(["lt2m", "2to4m", "4to6m", "6to8m", "8to10m", "10to15m", "ge15m",
                              "undisclosed"], m, 3, missing=9),
        "country": _pick(["JP"] * 8 + ["US", "DE", "jp", "cn"], m, 5, missing=10),
    })
    return people, spells


def describe(extract: pd.DataFrame) -> dict:
    """What the expectations hold: each column's dtype, labels, counts and a digest of its
    values row by row."""
    out = {}
    for name in extract.columns:
        column = extract[name]
        values = column.astype("string").fillna("<NA>").astype(str)
        out[name] = {
            "dtype": str(column.dtype) if name in ("completion_fy", "years_since_completion")
            else "category",
            "labels": list(column.cat.categories) if column.dtype == "category" else None,
            "counts": {str(k): int(v) for k, v in sorted(values.value_counts().items())},
            "rows": hashlib.sha256("\n".join(values).encode()).hexdigest(),
        }
    return out


CASES = [(as_of, objects, sizes) for as_of in AS_OF for objects in (True, False)
         for sizes in ((50, 100), (1, 1), (400, 400))]


def _key(as_of, objects, sizes) -> str:
    return f"{as_of} {'dates' if objects else 'datetime64'} {sizes[0]}/{sizes[1]}"


@pytest.mark.parametrize("as_of, objects, sizes", CASES, ids=[_key(*c) for c in CASES])
def test_extract_matches_the_recorded_one(as_of, objects, sizes):
    people, spells = fixed_frames(3000, objects)
    extract = deidentify(people, spells, as_of, min_country_size=sizes[0],
                         min_university_size=sizes[1])
    assert list(extract.columns) == list(EXTRACT_COLUMNS)
    assert extract.index.equals(pd.RangeIndex(3000))
    expected = json.loads(EXPECTED.read_text())[_key(as_of, objects, sizes)]
    assert describe(extract) == expected


def test_an_empty_population_gives_an_empty_extract_of_the_same_labels():
    people, spells = fixed_frames(0)
    extract = deidentify(people, spells, AS_OF[0])
    assert list(extract.columns) == list(EXTRACT_COLUMNS) and len(extract) == 0
    assert list(extract["age_band"].cat.categories)[-1] == "Unknown"


def test_a_missing_nationality_is_unknown_not_japan():
    people, spells = fixed_frames(60)
    people.loc[:9, "nationality"] = None
    extract = deidentify(people, spells, AS_OF[0])
    unknown = extract["nationality_group"] == "Unknown"
    assert unknown[:10].all() and unknown.sum() == people["nationality"].isna().sum()
    assert list(extract["nationality_group"].cat.categories)[-1] == "Unknown"

