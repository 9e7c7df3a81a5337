"""A copy of stats/extract.py before it was vectorised, to compare the new one with.

Turn registrant records into a de-identified, generalised extract.

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
  registrants, else ``Other``.
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

PEOPLE_COLUMNS = (
    "pid", "birth_year", "sex", "nationality", "university", "university_type",
    "field", "status", "status_date", "entry_date",
)
SPELL_COLUMNS = (
    "pid", "labour_status", "sector", "postdoc", "employment_term", "income_band", "country",
)

UNKNOWN = "Unknown"
NOT_COMPLETED = "Not completed"
SEXES = ("female", "male", "other", "undisclosed")
FIELDS = tuple(f"{i:02d}" for i in range(11))
STATUSES = ("enrolled", "on_leave", "degree_awarded", "completed_without_degree", "withdrawn")
COMPLETED = ("degree_awarded", "completed_without_degree")
LABOUR_STATUSES = ("employed", "self_employed", "seeking", "studying", "not_in_labour_force")
SECTORS = (
    "university", "public_research", "government", "company", "non_profit",
    "self_employed", "other",
)
TERMS = ("permanent", "fixed_term")
RAW_INCOME_BANDS = (
    "lt2m", "2to4m", "4to6m", "6to8m", "8to10m", "10to15m", "ge15m", "undisclosed",
)
INCOME_BANDS = ("lt2m", "2to4m", "4to6m", "6to8m", "8to10m", ">=10m", "undisclosed")
YEARS_SINCE_BANDS = ("0-1", "2-3", "4-6", "7+")
AGE_BAND_START, AGE_BAND_END = 1960, 1995  # bottom code below, top code from
COHORT_ORIGIN, COHORT_WIDTH = 2000, 3

#: Columns of the extract; nothing else leaves :func:`deidentify`.
EXTRACT_COLUMNS = (
    "age_band", "sex", "nationality_group", "university_group", "university_type", "field",
    "status", "completion_fy", "cohort_band", "years_since_completion", "years_since_band",
    "labour_status", "sector", "postdoc", "employment_term", "income_band", "working_abroad",
)


def fiscal_year(day: date) -> int:
    """Return the Japanese fiscal year (April to March) that contains ``day``."""
    return day.year if day.month >= 4 else day.year - 1


def age_bands() -> tuple[str, ...]:
    """Return the birth-year band labels, oldest first."""
    inner = [f"{y}-{y + 4}" for y in range(AGE_BAND_START, AGE_BAND_END, 5)]
    return (f"<{AGE_BAND_START}", *inner, f">={AGE_BAND_END}")


def cohort_bands(as_of: date) -> tuple[str, ...]:
    """Return the completion-cohort band labels up to the fiscal year of ``as_of``."""
    last = fiscal_year(as_of)
    starts = range(COHORT_ORIGIN, max(last, COHORT_ORIGIN) + 1, COHORT_WIDTH)
    return (f"before FY{COHORT_ORIGIN}", *(f"FY{s}-{s + COHORT_WIDTH - 1}" for s in starts))


def _require_columns(frame: pd.DataFrame, required: Iterable[str], name: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s): {', '.join(missing)}")


def _require_codes(series: pd.Series, allowed: Iterable[str], name: str) -> None:
    bad = series.dropna()
    bad = bad[~bad.astype(str).isin(list(allowed))]
    if len(bad):
        sample = ", ".join(repr(v) for v in pd.unique(bad)[:5])
        raise ValueError(f"{name} has unknown code(s): {sample}")


def validate(people: pd.DataFrame, spells: pd.DataFrame) -> None:
    """Raise ValueError naming the first missing column or invalid code in the inputs."""
    _require_columns(people, PEOPLE_COLUMNS, "people")
    _require_columns(spells, SPELL_COLUMNS, "spells")
    _require_codes(people["sex"], SEXES, "people.sex")
    _require_codes(people["field"], FIELDS, "people.field")
    _require_codes(people["status"], STATUSES, "people.status")
    for column, codes in (
        ("labour_status", LABOUR_STATUSES), ("sector", SECTORS),
        ("employment_term", TERMS), ("income_band", RAW_INCOME_BANDS),
    ):
        _require_codes(spells[column], codes, f"spells.{column}")
    if people["field"].isna().any():
        raise ValueError("people.field must be set for every registrant")
    if people["status"].isna().any():
        raise ValueError("people.status must be set for every registrant")
    if people["pid"].duplicated().any():
        raise ValueError("people.pid must be unique")
    if spells["pid"].duplicated().any():
        raise ValueError("spells must hold at most one current spell per pid")


def _categorical(values: pd.Series, labels: Iterable[str], unknown: bool = True) -> pd.Series:
    """Return ``values`` as a categorical of ``labels`` (plus ``Unknown`` for NA)."""
    labels = [*dict.fromkeys([*labels, UNKNOWN] if unknown else labels)]
    out = values.astype("string").fillna(UNKNOWN)
    return pd.Series(pd.Categorical(out, categories=labels), index=values.index)


def _age_band(birth_year: pd.Series) -> pd.Series:
    year = pd.to_numeric(birth_year, errors="coerce")
    labels = age_bands()
    # Bins: (-inf, 1960), [1960, 1965), ..., [1990, 1995), [1995, inf)
    edges = [-np.inf, *range(AGE_BAND_START, AGE_BAND_END + 1, 5), np.inf]
    banded = pd.cut(year, bins=edges, right=False, labels=list(labels))
    return _categorical(banded.astype("string"), labels)


def _frequent_or(values: pd.Series, minimum: int, fallback: pd.Series) -> pd.Series:
    """Keep a value when at least ``minimum`` rows share it, else take ``fallback``."""
    sizes = values.map(values.value_counts(dropna=True))
    return values.where(sizes >= minimum, fallback)


def _nationality(nationality: pd.Series, minimum: int) -> pd.Series:
    code = nationality.astype("string").str.upper()
    other = pd.Series("Other", index=code.index, dtype="string")
    grouped = _frequent_or(code, minimum, other).where(code.notna(), pd.NA)
    grouped = grouped.where(code != "JP", "JP")
    frequent = sorted(set(grouped.dropna()) - {"JP", "Other"})
    return _categorical(grouped, ["JP", *frequent, "Other"])


def _university(university: pd.Series, kind: pd.Series, minimum: int) -> pd.Series:
    kind = kind.astype("string").str.strip().str.lower()
    other = ("Other " + kind + " universities").fillna("Other universities")
    grouped = _frequent_or(university.astype("string"), minimum, other)
    named = sorted(set(university.astype("string").dropna()) & set(grouped.dropna()))
    others = sorted(set(other.dropna()) & set(grouped.dropna()))
    return _categorical(grouped.fillna("Other universities"), [*named, *others])


def _completion(people: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Return completion FY, cohort band and years since completion for each person."""
    day = pd.to_datetime(people["status_date"], errors="coerce")
    completed = people["status"].isin(COMPLETED) & day.notna()
    fy = (day.dt.year - (day.dt.month < 4)).where(completed).astype("Int64")
    ref = pd.Timestamp(as_of)
    before = (day.dt.month > ref.month) | ((day.dt.month == ref.month) & (day.dt.day > ref.day))
    years = (ref.year - day.dt.year - before).where(completed & (day <= ref)).astype("Int64")

    start = COHORT_ORIGIN + (fy - COHORT_ORIGIN) // COHORT_WIDTH * COHORT_WIDTH
    band = ("FY" + start.astype("string") + "-" + (start + COHORT_WIDTH - 1).astype("string"))
    band = band.where(fy >= COHORT_ORIGIN, f"before FY{COHORT_ORIGIN}").where(fy.notna(), pd.NA)
    not_completed = ~people["status"].isin(COMPLETED)
    band = band.where(~not_completed, NOT_COMPLETED)

    edges = [-np.inf, 2, 4, 7, np.inf]  # 0-1 | 2-3 | 4-6 | 7+
    bucket = pd.cut(years.astype("float64"), bins=edges, right=False,
                    labels=list(YEARS_SINCE_BANDS)).astype("string")
    bucket = bucket.where(~not_completed, NOT_COMPLETED)
    return pd.DataFrame({
        "completion_fy": fy,
        "cohort_band": _categorical(band, [*cohort_bands(as_of), NOT_COMPLETED]),
        "years_since_completion": years,
        "years_since_band": _categorical(bucket, [*YEARS_SINCE_BANDS, NOT_COMPLETED]),
    }, index=people.index)


def _career(people: pd.DataFrame, spells: pd.DataFrame) -> pd.DataFrame:
    """Return the generalised current-career columns aligned with ``people``."""
    spell = people[["pid"]].merge(spells, on="pid", how="left", validate="one_to_one")
    spell.index = people.index
    income = spell["income_band"].astype("string").replace({"10to15m": ">=10m",
                                                             "ge15m": ">=10m"})
    postdoc = spell["postdoc"].astype("boolean").map({True: "Yes", False: "No"},
                                                     na_action="ignore")
    country = spell["country"].astype("string").str.upper()
    is_japan = (country == "JP").fillna(False).to_numpy(dtype=bool)
    abroad = pd.Series(np.where(is_japan, "Japan", "Abroad"), index=people.index)
    return pd.DataFrame({
        "labour_status": _categorical(spell["labour_status"], LABOUR_STATUSES),
        "sector": _categorical(spell["sector"], SECTORS),
        "postdoc": _categorical(postdoc, ("Yes", "No")),
        "employment_term": _categorical(spell["employment_term"], TERMS),
        "income_band": _categorical(income, INCOME_BANDS),
        "working_abroad": _categorical(abroad.where(country.notna(), pd.NA),
                                       ("Abroad", "Japan")),
    }, index=people.index)


def deidentify(
    people: pd.DataFrame,
    spells: pd.DataFrame,
    as_of: date,
    *,
    min_country_size: int = 50,
    min_university_size: int = 100,
) -> pd.DataFrame:
    """Return the generalised extract: one row per registrant, only ``EXTRACT_COLUMNS``."""
    validate(people, spells)
    people = people.reset_index(drop=True)
    extract = pd.DataFrame({
        "age_band": _age_band(people["birth_year"]),
        "sex": _categorical(people["sex"], SEXES),
        "nationality_group": _nationality(people["nationality"], min_country_size),
        "university_group": _university(people["university"], people["university_type"],
                                        min_university_size),
        "university_type": _categorical(
            people["university_type"].astype("string").str.strip().str.lower(),
            sorted(set(people["university_type"].dropna().astype(str).str.strip()
                       .str.lower()))),
        # Field and status are required (validated), so they get no "Unknown" label.
        "field": _categorical(people["field"], FIELDS, unknown=False),
        "status": _categorical(people["status"], STATUSES, unknown=False),
    })
    extract = extract.join(_completion(people, as_of)).join(_career(people, spells))
    return extract[list(EXTRACT_COLUMNS)]
