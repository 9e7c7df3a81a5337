"""A release's own words in the reader's language: its notes, signs, rules and reasons.

``stats`` writes these in English into the release (and every stored release has them so);
here they are recognised and translated, so releases stored before keep reading well.  A
text not recognised is shown as written.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from jgrad.statistics import labels
from stats.notes import PERCENT_NOTE
from stats.protect import SPARSE_REASON

#: What the signs of hidden cells mean, by the English words a release wrote beside them:
#: releases since one sign is used write "not published" beside "x"; releases stored
#: before kept four signs, "x" then meaning a small count.
MEANINGS = {
    "not published": _l("not published"),
    "small count, zero included (below threshold)":
        _l("small count, zero included (below threshold)"),
    "hidden to protect another cell": _l("hidden to protect another cell"),
    "group too concentrated for a sensitive measure":
        _l("group too concentrated for a sensitive measure"),
    "denominator too small for a percentage": _l("denominator too small for a percentage"),
}

#: The signs of hidden cells of releases stored before, by sign (when no words were kept).
SIGNS = {
    "x": MEANINGS["small count, zero included (below threshold)"],
    "s": MEANINGS["hidden to protect another cell"],
    "r": MEANINGS["group too concentrated for a sensitive measure"],
    "d": MEANINGS["denominator too small for a percentage"],
}

#: The disclosure-control parameters of a release (``stats.published.Rules``).
RULES = {
    "threshold": _l("Smallest count published"),
    "rounding_base": _l("Counts rounded to a multiple of"),
    "min_denominator": _l("Smallest denominator of a percentage"),
    "protection": _l("Protection interval of a hidden cell"),
    "dominance": _l("Largest share of one category in a sensitive distribution"),
    "publish_zeros": _l("Every zero published (not only categories of next to no one)"),
    "min_country_size": _l("Smallest nationality group shown on its own"),
    "min_university_size": _l("Smallest university shown on its own"),
    "random_rounding": _l("Counts rounded at random, keyed to who is counted"),
    "protection_levels": _l("A hidden count below the threshold may be 0 or the threshold"),
    "min_category_size": _l("Smallest category shown on its own (in the smallest population "
                            "counting it)"),
    # A release with differential privacy states these instead (stats.dp).
    "rho": _l("Privacy loss of this release (zero-concentrated, rho)"),
    "epsilon": _l("The same loss as epsilon (at the delta below)"),
    "delta": _l("Delta"),
    "rho_this_year": _l("Privacy loss of this fiscal year's releases so far (rho)"),
    "epsilon_this_year": _l("The same loss as epsilon (at the same delta)"),
    "cells_per_person": _l("Most cells one registrant is counted in"),
    "noise_sd": _l("Standard deviation of the noise added to each count"),
    "margin_95": _l("Each count is within this of the truth, 95 times in 100"),
}

_ROUNDING = re.compile(r"Counts are rounded to base (\d+); totals are rounded from exact "
                       r"sums, so cells may not add up to totals\.")
_RANDOM_ROUNDING = re.compile(r"Counts are rounded at random to a multiple of (\d+): ")
_PERCENT = PERCENT_NOTE
_NOISY_PERCENT = "Percentages are computed from the published noisy figures."
_NOISE = ("Every count has noise added by a differentially private mechanism; totals are "
          "measured on their own, so cells need not add up to them.")
_SURVEYS = re.compile(r"Tables whose id starts with 'survey\.' count the submitted answers")
_PROTECTION = re.compile(r"No hidden cell can be narrowed to fewer than (\d+) people by "
                         r"combining any tables of this release")
_AGGREGATION = re.compile(r"Categories with fewer than (\d+) people in the smallest population")
_THRESHOLDS = re.compile(r"Where a nationality or university is shown on its own \(from (\d+) "
                         r"or (\d+) registrants\) and where a category is merged \(below "
                         r"(\d+) people\)")
_LEVELS = re.compile(r"Combining any tables of this release, .* no one can tell whether a "
                     r"hidden count below (\d+) is 0 or as much as \d+, nor narrow any hidden "
                     r"count to a range less than (\d+) wide\.")
_EMPTY = re.compile(r"A category that next to no one in a table's population falls into is "
                    r"shown as 0 throughout the table when the table counts at least (\d+) "
                    r"people.*fewer than (\d+) people")
_SERIES = re.compile(r"A release that continues a series hides the same cells as the one "
                     r"before while no count has moved more than (\d+) ")
_AUDIT = re.compile(r"interval audit: (\d+) hidden cell\(s\) derivable within less than (\d+)")


def sign(code: str, written: str | None = None) -> str:
    """Return what a sign means, in the reader's language (by the words written beside it)."""
    if written in MEANINGS:
        return str(MEANINGS[written])
    return str(SIGNS[code]) if code in SIGNS else (written or code)


def signs(flags: dict) -> dict[str, str]:
    """Return a release's signs and their meanings, in the reader's language."""
    return {code: sign(code, written) for code, written in flags.items()}


def rule(name: str) -> str:
    """Return a rule's name in words."""
    return str(RULES[name]) if name in RULES else name


def rule_value(value, name: str | None = None) -> str:
    """Return a rule's value as read: yes/no for flags, the dominance share as a percentage
    (a privacy loss is a number, however small: ``delta`` reads 1e-07)."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float) and 0 < value < 1 and name in (None, "dominance"):
        return f"{value:.0%}"
    return f"{value:g}" if isinstance(value, float) else str(value)


#: The notes with figures in them: each pattern, and its words with the figures put back.
_NOTES = (
    (_ROUNDING, lambda f: _(
        "Counts are rounded to a multiple of %(base)s; totals are rounded from the "
        "exact sums, so cells may not add up to the totals.", base=f[1])),
    (_RANDOM_ROUNDING, lambda f: _(
        "Counts are rounded at random to a multiple of %(base)s: up with a chance "
        "that grows with the remainder (with a base of 5, a count of 12 becomes 10 "
        "three times in five and 15 twice), so figures are right on average and each, "
        "when drawn, is less than %(base)s from its count. The draw depends only on "
        "who is counted, so the same people get the same figure in every table, and each "
        "series draws afresh. Totals are rounded from the exact sums, so cells may not "
        "add up to the totals. A release that continues a series keeps a figure while "
        "its count stays within %(base)s of it.", base=f[1])),
    (_PROTECTION, lambda f: _(
        "No hidden cell can be narrowed to fewer than %(width)s people by combining "
        "any tables of this release, knowing that completers are degree holders and "
        "those who completed without a degree, that a university type is its "
        "universities and that employees are among those in work. A table whose own "
        "rules would hide more than two thirds of its cells is withheld as too "
        "sparse.", width=f[1])),
    (_LEVELS, lambda f: _(
        "Combining any tables of this release, and knowing that completers are "
        "degree holders and those who completed without a degree, that a university "
        "type is its universities and that employees are among those in work, no one "
        "can tell whether a hidden count below %(threshold)s is 0 or as much as "
        "%(threshold)s, nor narrow any hidden count to a range less than %(width)s "
        "wide. A table whose own rules would hide more than two thirds of its cells "
        "is withheld as too sparse.", threshold=f[1], width=f[2])),
    (_AGGREGATION, lambda f: _(
        "Categories with fewer than %(n)s people in the smallest population a table "
        "counts them in are merged, in every table alike: rare sexes, fields, sectors "
        "and nationalities into one other category, a rare unknown postdoctoral "
        "position, employment term or place of work into no, permanent or Japan, "
        "rare bands at either end of age, income and completion cohort into their "
        "neighbour. The release lists each "
        "merged category and its members; within a series the merges stay as the "
        "series began.", n=f[1])),
    (_THRESHOLDS, lambda f: _(
        "Where a nationality or university is shown on its own (from %(country)s or "
        "%(university)s registrants) and where a category is merged (below "
        "%(category)s people) is decided when a series begins, at a threshold drawn "
        "at random for each, up to half as much again, so that a category crossing "
        "it between two series cannot be tied to one person.", country=f[1],
        university=f[2], category=f[3])),
    (_EMPTY, lambda f: _(
        "A category that next to no one in a table's population falls into is shown "
        "as 0 throughout the table when the table counts at least %(n)s people and "
        "at least two other categories of the same kind hold more, and so is every "
        "figure that lies inside it: next to no one means none, or fewer than "
        "%(base)s people, up to a number drawn for each series and category, so that "
        "no reader can tell which, nor tie a category shown as 0 in one series and "
        "hidden in the next to one person. Other small counts, zeros included, are "
        "hidden.", n=f[1], base=f[2])),
    (_SERIES, lambda f: _(
        "A release that continues a series hides the same cells as the one before "
        "while no count has moved more than %(base)s from the counts they were "
        "decided on, so that one arrival or departure changes no hidden cell; a "
        "larger change has them decided again.", base=f[1])),
)


def note(text: str) -> str:
    """Return one of a release's notes in the reader's language."""
    for pattern, words in _NOTES:
        found = pattern.match(text)
        if found:
            return words(found)
    if text == _PERCENT:
        return _("Percentages are computed from the published rounded figures.")
    if text == _NOISY_PERCENT:
        return _("Percentages are computed from the published figures, noise included.")
    if text == _NOISE:
        return _("Every count has random noise added (differential privacy), so that no "
                 "figure and no comparison of figures or of releases can reveal whether any "
                 "one person is counted. Totals are measured on their own, so cells need not "
                 "add up to them.")
    if _SURVEYS.match(text):
        return _("Tables of closed surveys count the submitted answers by completion cohort; "
                 "they were protected together with every other table of the release, "
                 "knowing that respondents are registrants counted in the other tables.")
    return text


def margin(value: int | None) -> str | None:
    """Say how close a private release's counts are to the truth."""
    if value is None:
        return None
    return _("Each count is within ±%(margin)s of the true count, 95 times in 100.",
             margin=value)


def withheld(reason: str | None) -> str | None:
    """Return why a table was withheld, in the reader's language."""
    if reason == SPARSE_REASON:
        return _("too few people for its cells: its own rules would hide more than two "
                 "thirds of them, so it would say next to nothing")
    found = _AUDIT.fullmatch(reason or "")
    if found:
        return _("the interval audit could narrow %(n)s hidden cells to less than %(width)s",
                 n=found[1], width=found[2])
    return reason


def metadata(meta: dict) -> dict:
    """Return a release's metadata with its words in the reader's language (``release.json``).

    Codes (table ids, dimensions, rule names, signs) stay as they are, for programs; the
    words beside them are translated, and each table gains its title as the pages show it.
    """
    tables = []
    for table in meta["tables"]:
        table = dict(table, title=labels.title(table), withheld=withheld(table["withheld"]))
        table["dimension_names"] = {d: labels.own_text(table.get("texts"), "dimensions", d)
                                    or labels.dimension(d)
                                    for d in (*table["rows"], table["column"])}
        tables.append(table)
    return {**meta, "language": labels.language(), "flags": signs(meta["flags"]),
            "rule_names": {name: rule(name) for name in meta["rules"]},
            "notes": [note(n) for n in meta["notes"]], "tables": tables}
