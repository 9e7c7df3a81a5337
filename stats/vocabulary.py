"""The extract's vocabulary: input columns, the codes each may hold, the labels and bands
of the output (see :mod:`stats.extract` for what each means)."""

from __future__ import annotations

from datetime import date

PEOPLE_COLUMNS = (
    "pid", "birth_year", "sex", "nationality", "university", "university_type",
    "field", "status", "status_date", "entry_date",
)
SPELL_COLUMNS = (
    "pid", "labour_status", "sector", "postdoc", "employment_term", "income_band", "country",
)

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
