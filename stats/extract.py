"""Turn registrant records into a de-identified, generalised extract.

Input frames (built by the app with SQL; nothing else is read):

``people`` -- one row per *active* registrant (suspended and deleted ones are already gone):

=================  ==========================================================================
``pid``            int, the person key (used only to join ``spells``; dropped from the output)
``birth_year``     int or NA
``sex``            ``female`` | ``male`` | ``other`` | ``undisclosed``
``nationality``    ISO 3166 alpha-2 code or NA
``university``     str, name of the university of the doctoral programme
``university_type`` str such as ``national``, ``public``, ``private``; may be NA
``field``          ISCED-F broad field code ``"00"`` .. ``"10"``
``status``         ``enrolled`` | ``on_leave`` | ``degree_awarded`` |
                   ``completed_without_degree`` | ``withdrawn``
``status_date``    date of the current status, or NA
``entry_date``     date (read for validation only: entry cohorts are not tabulated)
=================  ==========================================================================

``spells`` -- at most one row per registrant: the *current* career situation on ``as_of``;
a registrant without a row counts as "Unknown" everywhere below:

=====================  ========================================================================
``pid``                int, joins ``people.pid``
``labour_status``      ``employed`` | ``self_employed`` | ``seeking`` | ``studying`` |
                       ``not_in_labour_force``
``sector``             ``university`` | ``public_research`` | ``government`` | ``company`` |
                       ``non_profit`` | ``self_employed`` | ``other`` | NA
``postdoc``            bool (NA allowed)
``employment_term``    ``permanent`` | ``fixed_term`` | NA
``income_band``        ``lt2m`` | ``2to4m`` | ``4to6m`` | ``6to8m`` | ``8to10m`` | ``10to15m`` |
                       ``ge15m`` | ``undisclosed`` | NA
``country``            ISO 3166 alpha-2 code of the workplace or NA
=====================  ========================================================================

Output of :func:`deidentify`: one row per registrant, no key, no name, no free text.  Every
column is a pandas ``Categorical`` of fixed labels (so tables have stable shapes) except the
two integer columns ``completion_fy`` and ``years_since_completion`` (nullable ``Int64``).
Missing values become the label ``"Unknown"``.  Generalisations:

* ``age_band``: birth year in 5-year bands ``1960-1964`` .. ``1990-1994``, bottom-coded
  ``<1960`` and top-coded ``>=1995`` (doctoral graduates born later are too few to band).
* ``nationality_group``: ``JP``, each other country with at least ``min_country_size``
  registrants, else ``Other``; ``Unknown`` when none was given.
* ``university_group``: the university's name when it has at least ``min_university_size``
  registrants, else ``Other <type> universities`` (``Other universities`` when type is NA).
* ``completion_fy``: Japanese fiscal year (April-March) of ``status_date`` for
  ``degree_awarded`` and ``completed_without_degree``; NA otherwise.
* ``cohort_band``: completion FY in 3-year bands from FY2000 (``FY2000-2002`` ...),
  ``before FY2000``, or ``Not completed``.
* ``years_since_completion`` (whole years from ``status_date`` to ``as_of``) and
  ``years_since_band``: ``0-1``, ``2-3``, ``4-6``, ``7+`` (the 1.5/3.5/6.5-year survey
  cohorts fall in the first three), or ``Not completed``.
* ``income_band``: top-coded, ``10to15m`` and ``ge15m`` merged into ``>=10m``.
* ``working_abroad``: ``Abroad`` when the workplace country is present and not ``JP``,
  ``Japan`` when it is ``JP``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from stats.coding import UNKNOWN, Coded, categorical, from_codes, labelled, mapped, text, \
    unknown_codes
from stats.groups import nationality_groups, university_groups
from stats.vocabulary import (  # noqa: F401  (the extract's names, read from here too)
    PEOPLE_COLUMNS, SPELL_COLUMNS, NOT_COMPLETED, SEXES, FIELDS, STATUSES, COMPLETED,
    LABOUR_STATUSES, SECTORS, TERMS, RAW_INCOME_BANDS, INCOME_BANDS, YEARS_SINCE_BANDS,
    AGE_BAND_START, AGE_BAND_END, COHORT_ORIGIN, COHORT_WIDTH, EXTRACT_COLUMNS,
    fiscal_year, age_bands, cohort_bands,
)


def _require_columns(frame: pd.DataFrame, required: Iterable[str], name: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s): {', '.join(missing)}")


def _require_codes(coded: tuple[np.ndarray, list], allowed: Iterable[str], name: str) -> None:
    bad = unknown_codes(coded, allowed)
    if bad:
        sample = ", ".join(repr(v) for v in bad[:5])
        raise ValueError(f"{name} has unknown code(s): {sample}")


def validate(people: pd.DataFrame, spells: pd.DataFrame) -> None:
    """Raise ValueError naming the first missing column or invalid code in the inputs."""
    _validate(people, spells, Coded(people), Coded(spells))


def _validate(people: pd.DataFrame, spells: pd.DataFrame, persons: Coded, careers: Coded
              ) -> None:
    _require_columns(people, PEOPLE_COLUMNS, "people")
    _require_columns(spells, SPELL_COLUMNS, "spells")
    _require_codes(persons["sex"], SEXES, "people.sex")
    _require_codes(persons["field"], FIELDS, "people.field")
    _require_codes(persons["status"], STATUSES, "people.status")
    for column, codes in (
        ("labour_status", LABOUR_STATUSES), ("sector", SECTORS),
        ("employment_term", TERMS), ("income_band", RAW_INCOME_BANDS),
    ):
        _require_codes(careers[column], codes, f"spells.{column}")
    if (persons["field"][0] < 0).any():
        raise ValueError("people.field must be set for every registrant")
    if (persons["status"][0] < 0).any():
        raise ValueError("people.status must be set for every registrant")
    if people["pid"].duplicated().any():
        raise ValueError("people.pid must be unique")
    if spells["pid"].duplicated().any():
        raise ValueError("spells must hold at most one current spell per pid")


def _age_band(birth_year: pd.Series) -> pd.Categorical:
    year = pd.to_numeric(birth_year, errors="coerce")
    year = pd.Series(year).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    labels = age_bands()
    # Bins: (-inf, 1960), [1960, 1965), ..., [1990, 1995), [1995, inf)
    edges = np.arange(AGE_BAND_START, AGE_BAND_END + 1, 5)
    codes = np.searchsorted(edges, year, side="right")
    return from_codes(np.where(np.isnan(year), len(labels), codes), labels)


def _university_type(coded: tuple[np.ndarray, list]) -> pd.Categorical:
    cleaned = [text(k).strip().lower() for k in coded[1]]
    labels = labelled(sorted(set(cleaned)))
    position = {label: i for i, label in enumerate(labels)}
    return from_codes(mapped(coded[0], (position[c] for c in cleaned), position[UNKNOWN]),
                      labels, unknown=False)


def _days(values: pd.Series, coded: Coded) -> pd.Series:
    """Dates (``datetime.date`` objects, strings or datetime64) as datetime64, NaT for NA;
    converted once per distinct date."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values, errors="coerce").reset_index(drop=True)
    codes, uniques = coded["status_date"]
    days = pd.to_datetime(pd.Series(uniques, dtype=object), errors="coerce")
    return pd.Series(np.append(days.to_numpy(dtype="datetime64[ns]"),
                               np.datetime64("NaT"))[codes])


def _completion(people: pd.DataFrame, persons: Coded, status: pd.Categorical,
                as_of: date) -> dict:
    """Return completion FY, cohort band and years since completion for each person."""
    day = _days(people["status_date"], persons)
    present = day.notna().to_numpy()
    year = day.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    month = day.dt.month.to_numpy(dtype="float64", na_value=np.nan)
    dom = day.dt.day.to_numpy(dtype="float64", na_value=np.nan)
    completed_status = np.isin(status.codes, [STATUSES.index(s) for s in COMPLETED])
    completed = completed_status & present
    fy = np.where(completed, year - (month < 4), 0).astype(np.int64)
    ref = pd.Timestamp(as_of)
    before = (month > ref.month) | ((month == ref.month) & (dom > ref.day))
    in_past = completed & (day <= ref).to_numpy()
    years = np.where(in_past, ref.year - year - before, 0).astype(np.int64)

    bands = cohort_bands(as_of)
    cohort = np.where(fy >= COHORT_ORIGIN, 1 + (fy - COHORT_ORIGIN) // COHORT_WIDTH, 0)
    cohort = np.where(cohort < len(bands), cohort, -1)  # a later fiscal year has no label
    cohort = np.where(completed, cohort, len(bands) + 1)  # Unknown: completed, no date
    cohort = np.where(completed_status, cohort, len(bands))  # Not completed

    since = np.searchsorted(np.array([2, 4, 7]), years, side="right")  # 0-1|2-3|4-6|7+
    since = np.where(in_past, since, len(YEARS_SINCE_BANDS) + 1)
    since = np.where(completed_status, since, len(YEARS_SINCE_BANDS))
    return {
        "completion_fy": pd.arrays.IntegerArray(fy, ~completed),
        "cohort_band": from_codes(cohort, [*bands, NOT_COMPLETED]),
        "years_since_completion": pd.arrays.IntegerArray(years, ~in_past),
        "years_since_band": from_codes(since, [*YEARS_SINCE_BANDS, NOT_COMPLETED]),
    }


def _career(people: pd.DataFrame, spells: pd.DataFrame, careers: Coded) -> dict:
    """Return the generalised current-career columns aligned with ``people``."""
    row = pd.Index(spells["pid"]).get_indexer(people["pid"])  # -1: no current spell

    def aligned(column: pd.Categorical) -> pd.Categorical:
        """A categorical of the spells, read for each person (Unknown with no spell)."""
        codes = np.append(column.codes, column.categories.get_loc(UNKNOWN))  # row -1
        return pd.Categorical.from_codes(codes[row], dtype=column.dtype)

    top = {"10to15m": ">=10m", "ge15m": ">=10m"}
    postdoc = spells["postdoc"].astype("boolean")
    postdoc_codes = np.where(postdoc.isna().to_numpy(), 2,
                             np.where(postdoc.fillna(False).to_numpy(dtype=bool), 0, 1))
    codes, countries = careers["country"]
    abroad = mapped(codes, (1 if text(c).upper() == "JP" else 0 for c in countries), 2)
    return {
        "labour_status": aligned(categorical(careers["labour_status"], LABOUR_STATUSES)),
        "sector": aligned(categorical(careers["sector"], SECTORS)),
        "postdoc": aligned(from_codes(postdoc_codes, ("Yes", "No"))),
        "employment_term": aligned(categorical(careers["employment_term"], TERMS)),
        "income_band": aligned(categorical(careers["income_band"], INCOME_BANDS,
                                           spelling=lambda v: top.get(text(v), text(v)))),
        "working_abroad": aligned(from_codes(abroad, ("Abroad", "Japan"))),
    }


def deidentify(
    people: pd.DataFrame,
    spells: pd.DataFrame,
    as_of: date,
    *,
    min_country_size=50,
    min_university_size=100,
    named: dict | None = None,
) -> pd.DataFrame:
    """Return the generalised extract: one row per registrant, only ``EXTRACT_COLUMNS``.

    Nationalities and universities are named on their own from ``min_country_size`` and
    ``min_university_size`` registrants (a number, or a function of the dimension and the
    value giving each its own), or, with ``named`` (:func:`named_groups` of an earlier
    extract: a release series), exactly as they were named then.
    """
    named = named or {}
    people = people.reset_index(drop=True)
    persons, careers = Coded(people), Coded(spells)
    _validate(people, spells, persons, careers)
    status = categorical(persons["status"], STATUSES, unknown=False)
    columns = {
        "age_band": _age_band(people["birth_year"]),
        "sex": categorical(persons["sex"], SEXES),
        "nationality_group": nationality_groups(persons["nationality"], min_country_size,
                                                named.get("nationality_group")),
        "university_group": university_groups(persons["university"],
                                              persons["university_type"],
                                              min_university_size,
                                              named.get("university_group")),
        "university_type": _university_type(persons["university_type"]),
        # Field and status are required (validated), so they get no "Unknown" label.
        "field": categorical(persons["field"], FIELDS, unknown=False),
        "status": status,
        **_completion(people, persons, status, as_of),
        **_career(people, spells, careers),
    }
    return pd.DataFrame({name: columns[name] for name in EXTRACT_COLUMNS}, index=people.index)
