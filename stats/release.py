"""Build a release: catalogue and closed-survey tables, disclosure-controlled together.

Differencing *across tables of one release* is handled by treating the release as one
system.  Every cell is named by the people it counts (:mod:`stats.linkage`), so cells of
different tables that count the same people by construction -- field totals of two tables
over one population, a 3-D table's layer sum and the 2-D table it equals, completers in
two tables -- share one key.  Then (1) a key hidden in one table is hidden in every table,
and secondary suppression is re-run until no table changes; (2) the interval audit solves
all tables' equations jointly, shared cells being one unknown; exposed cells get more
cells hidden around them and the audit is re-run, and a table still exposed is withheld;
(3) a key gets one rounded value everywhere.  Guarantee: no hidden cell can be bounded
more tightly than ``protection`` by linear reasoning over all published cells and totals
of the release, taken as exact (rounding only adds uncertainty).  Not covered: relations
between populations that the tables do not make explicit (e.g. that nobody without a
current spell has a sector) beyond the completion rule in :mod:`stats.linkage`.  An
*audit-only* table makes one explicit: it is never published and protects nothing of its
own, its cells are unknowns of the audit unless another table publishes them, and its
equations constrain the rest (see :mod:`stats.surveys`).

Differencing *between releases* (someone arrives, nothing else changes) is handled by
building the next release against the previous one of the same series (``previous=``):
every cell hidden before stays hidden, and a published count keeps its
published value while its exact count stays within ``rounding_base - 1`` of it.  With
conventional rounding one arrival in a cell whose count sits on a rounding edge would
otherwise show, and reveal which cells (field, sector, ...) the newcomer is in.  So up to two
arrivals per cell change no published figure; larger changes show as usual.  Start a new
series (``previous=None``) only when many registrants have changed, e.g. yearly.

Every hidden cell is published with one sign, ``x`` ("not published"), whatever the rule
that hid it: a reason per cell would tell a reader more than the cell (a small count is
below the threshold, a cell hidden for another's sake is not, a sensitive row names a
dominant category).  The reasons stay in the internal record (``hidden_by_reason`` of each
table, counts only), never in a published file or ``release.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from stats import surveys as survey_tables
from stats.catalogue import CATALOGUE_VERSION, TableSpec, with_breakdowns
from stats.audit import AuditProblem, exposed_cells, joint_intervals
from stats.disclosure import (
    DENOMINATOR, HIDDEN, PRIMARY, PUBLISHED, RULES, SECONDARY, SENSITIVE, Protection,
    denominator_mask, primary_mask, round_to_base, row_shares, secondary_mask,
    sensitive_mask, widen,
)
from stats.extract import deidentify
from stats.linkage import cell_definitions, link_keys
from stats.published import Release, Rules, TableRelease
from stats.surveys import SurveyAnswers
from stats.tabulate import TOTAL, Cube, build_cube


def _as_cube_layout(frame: pd.DataFrame, cube: Cube) -> np.ndarray | None:
    """Return a previous table's frame as an array shaped like ``cube``, if it matches."""
    expected = cube.frame()
    if frame.shape != expected.shape or not frame.index.equals(expected.index) \
            or list(frame.columns) != list(expected.columns):
        return None
    if isinstance(frame.dtypes.iloc[0], pd.Float64Dtype):
        return frame.to_numpy(dtype=float, na_value=np.nan).reshape(cube.counts.shape)
    return frame.to_numpy().reshape(cube.counts.shape)


def _initial(cube: Cube, spec: TableSpec, rules: Rules, previous: TableRelease | None,
             structural_zero: np.ndarray) -> Protection:
    """Apply one table's own rules, keeping what the previous release hid, flag and all."""
    if spec.audit_only:  # every cell an unknown, unless another table publishes its key
        shape = cube.counts.shape
        return Protection(np.ones(shape, dtype=bool), np.full(shape, SECONDARY, dtype="<U1"))
    out = Protection.empty(cube.counts.shape)
    if previous is not None and previous.flags is not None:
        flags = _as_cube_layout(previous.flags, cube)
        if flags is not None:
            for flag in RULES:
                out.hide(flags == flag, flag)
    small = primary_mask(cube.counts, rules.threshold, rules.publish_zeros)
    out.hide(small & ~structural_zero, PRIMARY)  # no one can be there: nothing to protect
    if spec.sensitive:
        out.hide(sensitive_mask(cube.counts, rules.dominance), SENSITIVE)
    if spec.measure == "row_share":
        out.hide(denominator_mask(cube.counts, rules.min_denominator), DENOMINATOR)
    return out


def _suppress_jointly(tables: tuple[TableSpec, ...], cubes: list[Cube],
                      keys: list[np.ndarray], protections: list[Protection],
                      protection: int) -> None:
    """Run secondary suppression and hide shared keys everywhere, until nothing changes.

    Audit-only tables are all unknowns: they hide nothing anywhere else.
    """
    while True:
        for spec, cube, prot in zip(tables, cubes, protections):
            if not spec.audit_only:
                prot.hide(secondary_mask(cube.counts, prot.hidden, protection), SECONDARY)
        hidden_keys = np.unique(np.concatenate([k[p.hidden] for spec, k, p in
                                                zip(tables, keys, protections)
                                                if not spec.audit_only]))
        spread = sum(prot.hide(np.isin(k, hidden_keys), SECONDARY)
                     for k, prot in zip(keys, protections))
        if not spread:
            return


def _audit(tables: tuple[TableSpec, ...], cubes: list[Cube], keys: list[np.ndarray],
           protections: list[Protection], protection: int, rounds: int = 12) -> list[int]:
    """Audit all tables jointly, hiding more around exposed cells; return exposed counts.

    Hiding more cells only removes known values, so intervals proven wide stay wide and
    each round re-solves only the rest.  Tables still exposed after ``rounds`` are withheld:
    that removes equations too, so it cannot expose the other tables.
    """
    wide = np.zeros(0, dtype=np.uint64)
    exposed: list[np.ndarray] = []
    for _ in range(rounds):
        problems = [AuditProblem(spec.id, cube.counts, prot.hidden, key)
                    for spec, cube, prot, key in zip(tables, cubes, protections, keys)]
        intervals = joint_intervals(problems, protection, known_wide=wide)
        # An audit-only table protects nothing of its own: its cells that matter are
        # hidden (and checked) in the tables that would publish them.
        exposed = [exposed_cells(iv, p.hidden, protection) & (not spec.audit_only)
                   for iv, p, spec in zip(intervals, protections, tables)]
        if not any(e.any() for e in exposed):
            break
        wide = np.unique(np.concatenate(
            [wide, *(k[p.hidden & ~e] for k, p, e in zip(keys, protections, exposed))]))
        grown = sum(prot.hide(widen(cube.counts, prot.hidden, e), SECONDARY)
                    for cube, prot, e in zip(cubes, protections, exposed))
        if not grown:
            break
        _suppress_jointly(tables, cubes, keys, protections, protection)
    return [int(e.sum()) for e in exposed]


def _round_jointly(cubes: list[Cube], keys: list[np.ndarray], protections: list[Protection],
                   previous: list[np.ndarray | None], base: int) -> list[np.ndarray]:
    """Round every count, one value per key, carrying previous values that still fit."""
    parts = []
    for i, (cube, key, prot, prev) in enumerate(zip(cubes, keys, protections, previous)):
        shown = ~prot.hidden
        prior = np.full(cube.counts.shape, np.nan) if prev is None else prev.astype(float)
        parts.append(pd.DataFrame({"key": key[shown], "count": cube.counts[shown],
                                   "prior": prior[shown]}))
    cells = pd.concat(parts, ignore_index=True)
    by_key = cells.groupby("key").agg(count=("count", "first"), low=("prior", "min"),
                                      high=("prior", "max"))
    value = pd.Series(round_to_base(by_key["count"].to_numpy(), base), index=by_key.index)
    # Carry the previous figure only when every table showed the same one and it is still
    # within rounding distance, so tables agree and a few arrivals change nothing.
    carry = (by_key["low"] == by_key["high"]) & ((by_key["count"] - by_key["low"]).abs() < base)
    value[carry] = by_key.loc[carry, "low"].astype(np.int64)
    out = []
    for cube, key, prot in zip(cubes, keys, protections):
        rounded = np.full(cube.counts.shape, np.nan)
        rounded[~prot.hidden] = value.reindex(key[~prot.hidden]).to_numpy(dtype=float)
        out.append(rounded)
    return out


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
    tables: tuple[TableSpec, ...] | None = None,
    previous: Release | None = None,
    surveys: Sequence[SurveyAnswers] = (),
) -> Release:
    """De-identify, tabulate every table, protect them together and return the release.

    ``tables`` defaults to the whole catalogue with every table's breakdowns; each closed
    survey in ``surveys`` adds its tables (:mod:`stats.surveys`), protected with the rest.
    """
    tables = with_breakdowns() if tables is None else tables
    rules = Rules(threshold, rounding_base, min_denominator,
                  threshold if protection is None else protection, dominance, publish_zeros,
                  min_country_size, min_university_size)
    if previous is not None and previous.rules != rules:
        raise ValueError("previous release used different rules; start a new series")
    extract = deidentify(people, spells, as_of, min_country_size=min_country_size,
                         min_university_size=min_university_size)
    extract, added = survey_tables.extend(extract, people["pid"], surveys)
    tables = (*tables, *added)
    cubes = [build_cube(extract, spec) for spec in tables]
    domains = {c: tuple(extract[c].cat.categories) for c in extract.columns
               if isinstance(extract[c].dtype, pd.CategoricalDtype)}
    definitions = [cell_definitions(cube, spec, domains) for cube, spec in zip(cubes, tables)]
    keys = link_keys(definitions)
    prior_tables = [previous.tables.get(spec.id) if previous else None for spec in tables]
    protections = [_initial(cube, spec, rules, prior, np.equal(defs, None))
                   for cube, spec, prior, defs in zip(cubes, tables, prior_tables,
                                                      definitions)]
    _suppress_jointly(tables, cubes, keys, protections, rules.protection)

    exposed = _audit(tables, cubes, keys, protections, rules.protection)
    for prot, n in zip(protections, exposed):
        if n:
            prot.hidden[...] = True  # nothing of a withheld table is published

    prior_counts = [None if prior is None or prior.counts is None else
                    _as_cube_layout(prior.counts.astype("Float64"), cube)
                    for cube, prior in zip(cubes, prior_tables)]
    rounded = _round_jointly(cubes, keys, protections, prior_counts, rounding_base)

    out: dict[str, TableRelease] = {}
    for spec, cube, prot, values, n in zip(tables, cubes, protections, rounded, exposed):
        if spec.audit_only:
            continue  # its equations took part; it is not published
        by_reason = prot.count()
        shown = {HIDDEN: int(prot.hidden.sum())}
        if n:
            reason = (f"interval audit: {n} hidden cell(s) derivable within less than "
                      f"{rules.protection}")
            out[spec.id] = TableRelease(spec, None, None, None, shown, reason, by_reason)
            continue
        frame, counts, flags = _frames(cube, spec, values, prot)
        out[spec.id] = TableRelease(spec, frame, counts, flags, shown, None, by_reason)
    notes = ("Counts are rounded to base {0}; totals are rounded from exact sums, so cells "
             "may not add up to totals.".format(rounding_base),
             "Percentages are computed from the published rounded figures.",
             *((survey_tables.RELEASE_NOTE,) if surveys else ()))
    return Release(as_of, CATALOGUE_VERSION, rules, out, previous.as_of if previous else None,
                   notes, tuple(survey.metadata() for survey in surveys))
