"""Build a release: catalogue and closed-survey tables, disclosure-controlled together.

Differencing *across tables of one release* is handled by treating the release as one
system (:mod:`stats.joint`).  Every cell is the box of people it counts
(:mod:`stats.boxes`), so cells of any tables that count the same people share one key, and
the sums and nestings between keys -- completers are degree holders and those without a
degree, a university type is its universities, employees are among the working, a line is
its total -- are known to the release as they are to a reader.  Then (1) a key hidden in one
table is hidden in every table, and secondary suppression (each table's lines, and every
sum between keys) is re-run until nothing changes; (2) the interval audit solves all tables'
lines and all relations jointly; exposed cells get more cells hidden around them and the
audit is re-run, and a table still exposed is withheld; (3) a key gets one rounded value
everywhere.  Guarantee: no hidden cell can be bounded more tightly than ``protection`` by
linear reasoning over all published cells and totals of the release, taken as exact
(rounding only adds uncertainty), and every relation between boxes that differ in one
column.  Not covered: relations through boxes no table has (e.g. that nobody without a
current spell has a sector).  An *audit-only* table makes such a population explicit: it
is never published and protects nothing of its own, its cells are unknowns of the audit
unless another table publishes them, and its equations constrain the rest (see
:mod:`stats.surveys`).

A table whose own rules (small counts, sensitive rows, small denominators) would hide more
than two thirds of the cells of its occupied rows is withheld before the rest are protected:
it would say next to nothing, and its many hidden cells would make the audit slow.  Within a
series the previous release's decision stands, so no arrival turns a table on or off.

Differencing *between releases* (someone arrives or leaves, nothing else changes) is
handled twice over.  Counts are rounded at random, keyed to who is counted
(:mod:`stats.cellkey`): a figure drawn is within ``rounding_base - 1`` of its count, never
says on which side, and the same people get the same figure.  And the next release of a
series is built against the previous one (``previous=``): every cell hidden before stays
hidden, a published figure stands while its exact count stays within ``rounding_base``
of it (``Rules.carry``), below the threshold too (a "10" may count 5 to 15 people in a
series), and the hidden cells are not decided again while no count has moved more than the
carry from the counts they were decided on (:func:`stats.carry.frozen`), so one arrival or
departure changes no published figure and no hidden cell, and larger changes show as
usual; the series keeps its first release's merged categories and the nationalities and
universities it named on their own (``Release.named``), so no row comes or goes.  A new series (``previous=None``, e.g. yearly) draws a new secret, so every
cell's rounding is drawn afresh, and so is each line at which a category is named or merged
(:func:`stats.cellkey.drawn_threshold`): comparing it with the last release of the
series before shows differences everywhere, not only where someone arrived or left, and
each difference is within what the rounding allows either way.  Series begun before random
rounding (``Rules.random_rounding`` false) keep rounding to nearest, carrying a figure within
``rounding_base - 1``.

A category next to no one in a table's population has is shown as 0 when a series begins
(:mod:`stats.empty`); the decision itself is :mod:`stats.protect`'s.

Every hidden cell is published with one sign, ``x`` ("not published"), whatever the rule
that hid it: a reason per cell would tell a reader more than the cell (a small count is
below the threshold, a cell hidden for another's sake is not, a sensitive row names a
dominant category).  The reasons stay in the internal record (``hidden_by_reason`` of each
table, counts only), never in a published file or ``release.json``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from stats import aggregate
from stats import surveys as survey_tables
from stats.catalogue import CATALOGUE_VERSION, TableSpec, with_breakdowns
from stats.boxes import Space, cell_boxes
from stats.carry import as_cube_layout, frozen, round_jointly
from stats.cellkey import drawn_threshold, record_keys
from stats.disclosure import HIDDEN, PUBLISHED, Protection, row_shares
from stats.extract import deidentify
from stats.groups import named_groups
from stats.empty import LEAST_PEOPLE
from stats.notes import (
    AGGREGATION_NOTE, EMPTY_NOTE, LEVELS_NOTE, PERCENT_NOTE, PROTECTION_NOTE,
    RANDOM_ROUNDING_NOTE, ROUNDING_NOTE, SERIES_NOTE, THRESHOLD_NOTE,
)
from stats.protect import Decision
from stats.published import Release, Rules, TableRelease
from stats.surveys import SurveyAnswers
from stats.tabulate import RECORD_KEY, TOTAL, Cube, build_cube



def _frames(cube: Cube, spec: TableSpec, rounded: np.ndarray, prot: Protection
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return the published values, rounded counts and flags frames of one table."""
    counts = cube.frame(rounded).astype("Int64")
    flags = cube.frame(np.where(prot.hidden, HIDDEN, PUBLISHED))  # one sign: no reasons
    if spec.measure != "row_share":
        return counts, counts, flags
    shares = row_shares(np.nan_to_num(rounded), prot.hidden | np.isnan(rounded))
    values = np.concatenate([shares, rounded[..., -1:]], axis=-1)  # last column: n
    frame = cube.frame(values).astype("Float64").rename(columns={TOTAL: "n"})
    return frame, counts, flags


def release_extract(people: pd.DataFrame, spells: pd.DataFrame, release: Release
                    ) -> pd.DataFrame:
    """Return the extract ``release`` counted (its categories merged as it states), e.g. to
    check its figures against the truth."""
    rules = release.rules
    extract = deidentify(people, spells, release.as_of, min_country_size=rules.min_country_size,
                         min_university_size=rules.min_university_size,
                         named=getattr(release, "named", None))
    return aggregate.apply(extract, aggregate.from_members(release.merged))


def build_release(
    people: pd.DataFrame,
    spells: pd.DataFrame,
    as_of: date,
    *,
    threshold: int = 10,
    rounding_base: int = 5,
    min_denominator: int = 25,
    protection: int | None = None,
    dominance: float = 0.9,
    publish_zeros: bool = False,
    min_country_size: int = 50,
    min_university_size: int = 100,
    min_category_size: int = 50,
    tables: tuple[TableSpec, ...] | None = None,
    previous: Release | None = None,
    surveys: Sequence[SurveyAnswers] = (),
    random_rounding: bool = True,
    series_key: bytes | None = None,
    protection_levels: bool = True,
) -> Release:
    """De-identify, tabulate every table, protect them together and return the release.

    ``tables`` defaults to the whole catalogue with every table's breakdowns; each closed
    survey in ``surveys`` adds its tables (:mod:`stats.surveys`), protected with the rest.
    Counts are rounded at random by keys (:mod:`stats.cellkey`) unless ``random_rounding``
    is off; a series rounds as it began.  A new series draws its secret ``series_key`` (given
    only to make a test repeatable); the next release of a series keeps it.
    """
    tables = with_breakdowns() if tables is None else tables
    if previous is not None:  # a series goes on as it began
        random_rounding = previous.rules.random_rounding
        protection_levels = previous.rules.protection_levels
    rules = Rules(threshold, rounding_base, min_denominator,
                  threshold if protection is None else protection, dominance, publish_zeros,
                  min_country_size, min_university_size, min_category_size, random_rounding,
                  protection_levels)
    if previous is not None and previous.rules != rules:
        raise ValueError("previous release used different rules; start a new series")
    if previous is not None:
        series_key = previous.series_key
        if random_rounding and not series_key:
            raise ValueError("the previous release rounds at random but kept no secret; "
                             "start a new series")
    elif random_rounding and series_key is None:
        series_key = os.urandom(32)
    # Named nationalities and universities: as the series began (stored before: by size);
    # a new series draws each one's threshold (stats.cellkey.drawn_threshold).
    fresh_key = series_key if previous is None else None

    def drawn(minimum: int, *kind: str):
        """Each category's line, named by ``kind`` and the category (no key: ``minimum``)."""
        return lambda *name: drawn_threshold(fresh_key, "\0".join((*kind, *name)), minimum)

    extract = deidentify(people, spells, as_of, named=getattr(previous, "named", None),
                         min_country_size=drawn(min_country_size),
                         min_university_size=drawn(min_university_size))
    named = named_groups(extract)
    # Rare categories merged: as the series decided, else by this release's people.
    merges = (aggregate.from_members(previous.merged) if previous is not None else
              aggregate.choose(extract, [t for t in tables if not t.audit_only],
                               drawn(min_category_size, "merge")))
    extract = aggregate.apply(extract, merges)
    extract, added = survey_tables.extend(extract, people["pid"], surveys)
    if rules.random_rounding:
        extract = extract.assign(**{RECORD_KEY: record_keys(people["pid"].to_numpy(),
                                                            series_key)})
    tables = (*tables, *added)
    cubes = [build_cube(extract, spec) for spec in tables]
    space = Space.of(extract, as_of)
    boxes = [cell_boxes(cube, spec, space) for cube, spec in zip(cubes, tables)]
    prior_tables = [previous.tables.get(spec.id) if previous else None for spec in tables]
    fresh_series = series_key if rules.random_rounding and previous is None else None
    decision = (Decision.as_before(tables, cubes, boxes, space, rules, prior_tables, previous)
                if frozen(previous, tables, cubes, rules) else
                Decision.made(tables, cubes, boxes, space, rules, prior_tables, fresh_series))
    protections, kept, withheld, joint = (decision.protections, decision.kept,
                                          decision.withheld, decision.joint)

    prior_counts = [None if prior is None or prior.counts is None else
                    as_cube_layout(prior.counts.astype("Float64"), cubes[i])
                    for i, prior in enumerate(prior_tables) if i in kept]
    rounded = dict(zip(kept, round_jointly(joint.cubes, joint.keys, joint.protections,
                                            prior_counts, rules, decision.zeros)))
    out: dict[str, TableRelease] = {}
    for i, (spec, cube, prot) in enumerate(zip(tables, cubes, protections)):
        if spec.audit_only:
            continue  # its equations took part; it is not published
        by_reason = decision.reasons(i)
        shown = {HIDDEN: int(prot.hidden.sum())}
        if i in withheld:
            out[spec.id] = TableRelease(spec, None, None, None, shown, withheld[i], by_reason)
            continue
        frame, counts, flags = _frames(cube, spec, rounded[i], prot)
        out[spec.id] = TableRelease(spec, frame, counts, flags, shown, None, by_reason)
    rounding = RANDOM_ROUNDING_NOTE if rules.random_rounding else ROUNDING_NOTE
    notes = (rounding.format(rounding_base), PERCENT_NOTE,
             (LEVELS_NOTE.format(rules.threshold, rules.protection)
              if rules.protection_levels else PROTECTION_NOTE.format(rules.protection)),
             *((AGGREGATION_NOTE.format(min_category_size),) if merges else ()),
             *((THRESHOLD_NOTE.format(min_country_size, min_university_size,
                                      min_category_size),
                EMPTY_NOTE.format(LEAST_PEOPLE, rounding_base),
                SERIES_NOTE.format(rules.carry)) if rules.random_rounding else ()),
             *((survey_tables.RELEASE_NOTE,) if surveys else ()))
    return Release(as_of, CATALOGUE_VERSION, rules, out, previous.as_of if previous else None,
                   notes, tuple(survey.metadata() for survey in surveys),
                   aggregation=aggregate.members(merges), named=named,
                   series_key=series_key if rules.random_rounding else None,
                   decided=decision.decided)
