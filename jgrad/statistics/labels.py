"""Names of the catalogue's tables and dimensions in the reader's language.

The catalogue itself (``stats/``) is pure data in English; these are its translations.
A test fails when a catalogue table or dimension has no name here.
"""
from __future__ import annotations

import re

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

DIMENSIONS = {
    "age_band": _l("Age"),
    "sex": _l("Sex"),
    "nationality_group": _l("Nationality"),
    "university_group": _l("University"),
    "university_type": _l("Type of university"),
    "field": _l("Field"),
    "status": _l("Doctoral status"),
    "cohort_band": _l("Completion cohort (fiscal years)"),
    "years_since_band": _l("Years since completion"),
    "labour_status": _l("Labour status"),
    "sector": _l("Employment sector"),
    "postdoc": _l("Postdoctoral position"),
    "employment_term": _l("Employment term"),
    "income_band": _l("Annual income"),
    "working_abroad": _l("Working abroad"),
}

#: Labels the extract and the tables add themselves (totals, unknowns, groupings).
VALUES = {
    "Total": _l("Total"),
    "Unknown": _l("Unknown"),
    "Not completed": _l("Not completed"),
    "Other": _l("Other"),
    "Yes": _l("Yes"),
    "No": _l("No"),
    "Japan": _l("Japan"),
    "Abroad": _l("Abroad"),
    "national": _l("National"),
    "public": _l("Public"),
    "private": _l("Private"),
    "Other universities": _l("Other universities"),
    "Other national universities": _l("Other national universities"),
    "Other public universities": _l("Other public universities"),
    "Other private universities": _l("Other private universities"),
    # Categories a release merged (stats.aggregate).
    "Other or not stated": _l("Other or not stated"),
    "Other fields": _l("Other fields"),
    "Other or unknown sector": _l("Other or unknown sector"),
    "Other or unknown": _l("Other or unknown"),
    "Undisclosed or unknown": _l("Undisclosed or unknown"),
    "No or unknown": _l("No or unknown"),
    "Permanent or unknown": _l("Permanent or unknown"),
    "Japan or unknown": _l("Japan or unknown"),
}

#: Bands a release merged at either end (stats.aggregate), by their pattern.
#: Income in millions of yen; Japanese counts it in 10,000s (万円), as the other bands do.
_BANDS = (
    (re.compile(r"lt(\d+)m"), _l("Under %(n)s million yen")),
    (re.compile(r">=(\d+)m"), _l("%(n)s million yen or more")),
    (re.compile(r"before FY(\d{4})"), _l("Before FY%(n)s")),
    (re.compile(r"<(\d{4})"), _l("Born before %(n)s")),
    (re.compile(r">=(\d{4})"), _l("Born in %(n)s or later")),
)

TITLES = {
    "registrants_by_status_field": _l("Registrants by doctoral status and field"),
    "completers_by_status_field_cohort": _l(
        "Programme completers by status, field and completion cohort"),
    "sector_by_field_years_since": _l(
        "Doctorate holders in work by employment sector, field and years since degree"),
    "postdoc_share_by_field_cohort": _l(
        "Share of employed doctorate holders in postdoctoral positions, by field and cohort"),
    "employment_term_by_sector_cohort": _l(
        "Permanent and fixed-term employment of doctorate holders, by sector and cohort"),
    "sector_by_sex_field": _l("Doctorate holders in work by sex, field and employment sector"),
    "working_abroad_by_field": _l(
        "Doctorate holders in work, working abroad or in Japan, by field"),
    "income_by_field": _l("Doctorate holders in work by annual income band and field"),
}


def value(label: str) -> str:
    """Return a label the extract or a release made (a total, a merged category or band)
    in the reader's language; any other label as it is."""
    if label in VALUES:
        return str(VALUES[label])
    for pattern, words in _BANDS:
        found = pattern.fullmatch(label)
        if found:
            n = found[1]
            if label.endswith("m") and language() == "ja":
                n = f"{int(n) * 100:,}"  # millions of yen as 万円: 4 -> 400, 10 -> 1,000
            return str(words) % {"n": n}
    return label


def dimension(name: str | None) -> str | None:
    """Return a dimension's name for readers (its code when it has none)."""
    return str(DIMENSIONS[name]) if name in DIMENSIONS else name


def language() -> str:
    """Return the reader's language among those tables bring names in (en, ja)."""
    locale = get_locale()
    return "ja" if locale is not None and locale.language == "ja" else "en"


def own_text(texts: dict | None, *path: str) -> str | None:
    """Return a name a table brings with it (``texts`` metadata) in the reader's language."""
    node = texts
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return (node.get(language()) or node.get("en")) if isinstance(node, dict) else None


def title(table: dict) -> str:
    """Return a table's title from its metadata; a breakdown names its dimension."""
    own = own_text(table.get("texts"), "title")
    if own:
        return own
    base = table.get("breakdown_of")
    if base is None:
        return str(TITLES.get(table["id"], table["title"]))
    return _("%(title)s: by %(dimension)s", title=TITLES.get(base, table["title"]),
             dimension=dimension(table["rows"][0]).lower())
