"""Categories too small to show on their own, merged before anything is counted.

A category (a field, a sector, an age band ...) that few people of a table's population
have gives that table a line of zeros and small counts: every one of them hidden, and each
hidden cell needs others hidden beside it.  So a release merges, in every table alike:

* **nominal** categories -- sex other than female and male, fields, sectors, nationality
  groups -- that are rare into one "other" category of their dimension (``Unknown`` with
  them); a group still rare (or a rare category alone) takes the next smallest category of
  its dimension, until it is not: a line of zeros costs more than the category it absorbs;
  female, male and Japan are never merged, and the largest field, sector or nationality
  group of a dimension without them always stays on its own;
* an ``Unknown`` that is rare, in a yes/no kind of dimension (postdoctoral position,
  employment term, working abroad), into the category whose share the tables are read for
  least ("No or unknown", "Permanent or unknown", "Japan or unknown"): the share of
  postdocs, of fixed-term posts and of those abroad stay as they were;
* **ordered** bands -- age, income, completion cohort -- that are rare at either end into
  their neighbour (bottom- and top-coding: ``<1970``, ``>=8m``, ``before FY2006``);
  ``undisclosed`` and ``Unknown`` income into one.

Rare means fewer than ``minimum`` people in the *smallest* catalogue population that counts
the dimension (the sector in the population in work, say, not among all registrants).  The
merge is one mapping per dimension (label -> merged label) applied to the extract, so every
table and breakdown has the same categories and the relations between them hold as before
(:mod:`stats.boxes`).  Within a series the previous release's merges stand, so one arrival or
departure never splits or merges a category; a new series decides afresh.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from stats.catalogue import TableSpec
from stats.coding import UNKNOWN
from stats.tabulate import population_mask
from stats.vocabulary import INCOME_BANDS, NOT_COMPLETED, age_bands

#: Nominal dimensions: the categories that may merge, and the merged category's label.
NOMINAL = {
    "sex": (("other", "undisclosed", UNKNOWN), "Other or not stated"),
    "field": (None, "Other fields"),  # None: any of its categories
    "sector": (None, "Other or unknown sector"),
    "nationality_group": (None, "Other or unknown"),
}
#: Two-valued dimensions: the category a rare ``Unknown`` joins, and the label of the two.
BINARY = {
    "postdoc": ("No", "No or unknown"),
    "employment_term": ("permanent", "Permanent or unknown"),
    "working_abroad": ("Japan", "Japan or unknown"),
}
#: Ordered dimensions, and the categories outside their order (merged like nominal ones).
ORDERED = {
    "age_band": ((UNKNOWN,), None),
    "income_band": (("undisclosed", UNKNOWN), "Undisclosed or unknown"),
    "cohort_band": ((NOT_COMPLETED, UNKNOWN), None),
}
#: The newest completion cohorts are never merged: the surveys at 1.5, 3.5 and 6.5 years
#: after completion count their respondents by them.
NEWEST_COHORTS_KEPT = 3
#: Categories never merged: the ones most registrants are in, read in every table.
KEPT = {"nationality_group": ("JP",), "sex": ("female", "male")}

Merges = dict[str, dict[str, str]]  # dimension -> {label: merged label}, merged ones only


def smallest_counts(extract: pd.DataFrame, tables: Iterable[TableSpec]) -> dict[str, pd.Series]:
    """Return, per dimension some table counts by, each category's people in the smallest
    of those tables' populations (the least over populations, category by category)."""
    masks: dict[tuple, np.ndarray] = {}
    out: dict[str, pd.Series] = {}
    for spec in tables:
        key = (spec.population, spec.excluding)
        if key not in masks:  # a few populations, each filtered once
            masks[key] = population_mask(extract, *key).to_numpy()
        for dim in spec.dimensions:
            if dim not in NOMINAL and dim not in ORDERED and dim not in BINARY:
                continue
            column = extract[dim]
            counts = pd.Series(np.bincount(column.cat.codes.to_numpy()[masks[key]],
                                           minlength=len(column.cat.categories)),
                               index=column.cat.categories)
            out[dim] = counts if dim not in out else np.minimum(out[dim], counts)
    return out


def _ordered_label(dim: str, band: list[str], top: bool) -> str:
    """The label of bands merged at one end: ``<1970`` / ``>=1990``, ``lt4m`` / ``>=8m``,
    ``before FY2006`` (the cohort's top end is the newest, never merged)."""
    edge = band[-1] if not top else band[0]
    if dim == "age_band":
        return f">={edge.split('-')[0].lstrip('>=')}" if top else \
            f"<{int(edge.split('-')[-1].lstrip('<')) + 1}"
    if dim == "income_band":
        if top:
            return f">={edge.split('to')[0].lstrip('>=').rstrip('m')}m"
        return f"lt{edge.split('to')[-1].lstrip('lt').rstrip('m')}m"
    return f"before FY{int(edge.split('-')[-1].removeprefix('before FY')) + 1}"


def _orders(extract: pd.DataFrame) -> dict[str, list[str]]:
    bands = {"age_band": list(age_bands()), "income_band": list(INCOME_BANDS[:-1])}
    if "cohort_band" in extract:
        bands["cohort_band"] = [c for c in extract["cohort_band"].cat.categories
                                if c not in ORDERED["cohort_band"][0]]
    return bands


def choose(extract: pd.DataFrame, tables: Iterable[TableSpec], least) -> Merges:
    """Return the merges of the categories rare in ``extract`` (see the module): fewer than
    ``least`` people (a number, or a function of the dimension giving each its own)."""
    counts = smallest_counts(extract, tables)
    orders = _orders(extract)
    merges: Merges = {}
    for dim, sizes in counts.items():
        minimum = least(dim) if callable(least) else least
        rare = sizes < minimum
        mapping: dict[str, str] = {}
        if dim in BINARY:
            into, label = BINARY[dim]
            if UNKNOWN in sizes.index and rare[UNKNOWN] and into in sizes.index:
                mapping = {into: label, UNKNOWN: label}
        elif dim in NOMINAL:
            allowed, label = NOMINAL[dim]
            candidates = [c for c in sizes.sort_values(kind="stable").index
                          if c not in KEPT.get(dim, ()) and (allowed is None or c in allowed)]
            # A group still rare takes the next smallest category, until it is not; it
            # never takes them all (the largest stays on its own where none is kept).
            room = len(candidates) - (0 if KEPT.get(dim) else 1)
            names = [c for c in candidates if rare[c]][:room]
            while names and len(names) < room and sizes[names].sum() < minimum:
                names.append(candidates[len(names)])
            if len(names) > 1:
                mapping = dict.fromkeys(names, label)
        else:
            extras, label = ORDERED[dim]
            names = [c for c in extras if c in sizes.index and rare[c]]
            if label is not None and len(names) > 1:
                mapping = dict.fromkeys(names, label)
            order = [b for b in orders[dim] if b in sizes.index]
            # Bottom-coded into the first common band (the newest cohorts never), top-coded
            # into the last (cohorts never: the newest are the surveys'); with every band
            # rare there is nothing to merge them into.
            common = [i for i, b in enumerate(order) if not rare[b]] or [0]
            kept = len(order) - NEWEST_COHORTS_KEPT if dim == "cohort_band" else len(order)
            low = min(common[0], kept - 1)
            high = len(order) - 1 if dim == "cohort_band" or common[-1] == low else common[-1]
            if low > 0:
                mapping |= dict.fromkeys(order[:low + 1], _ordered_label(dim, order[:low + 1],
                                                                         top=False))
            if high < len(order) - 1:
                mapping |= dict.fromkeys(order[high:], _ordered_label(dim, order[high:],
                                                                      top=True))
        if mapping:
            merges[dim] = mapping
    return merges


def apply(extract: pd.DataFrame, merges: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Return ``extract`` with each dimension's categories merged (codes remapped: no
    per-row strings); the merged category takes the place of its first member."""
    if not merges:
        return extract
    out = extract.copy()
    for dim, mapping in merges.items():
        if dim not in out:
            continue
        column = out[dim]
        labels = [mapping.get(c, c) for c in column.cat.categories]
        categories = list(dict.fromkeys(labels))
        lookup = np.array([categories.index(label) for label in labels] + [-1], dtype=np.int64)
        out[dim] = pd.Categorical.from_codes(lookup[column.cat.codes.to_numpy()],
                                             categories=categories)
    return out


def members(merges: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, list[str]]]:
    """Return the merges as read in a release: dimension -> merged label -> its members."""
    out: dict[str, dict[str, list[str]]] = {}
    for dim, mapping in merges.items():
        for label, merged in mapping.items():
            out.setdefault(dim, {}).setdefault(merged, []).append(label)
    return out


def from_members(published: Mapping[str, Mapping[str, Iterable[str]]]) -> Merges:
    """Return the merges a release states (:func:`members`) as label mappings."""
    return {dim: {label: merged for merged, labels in groups.items() for label in labels}
            for dim, groups in published.items()}
