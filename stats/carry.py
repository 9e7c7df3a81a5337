"""What a release series carries from one release to the next: hidden cells and figures.

The next release of a series is built against the previous one: :func:`initial` keeps every
cell the previous release hid and lets a published count keep its figure while it stays
within ``Rules.carry`` of it; :func:`round_jointly` rounds every count, one figure per key,
and carries the previous figures that still fit (see :mod:`stats.release`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stats.catalogue import TableSpec
from stats.cellkey import random_round
from stats.disclosure import (
    DENOMINATOR, PRIMARY, PUBLISHED, RULES, SECONDARY, SENSITIVE, Protection, denominator_mask,
    primary_mask, round_to_base, sensitive_mask,
)
from stats.published import Rules, TableRelease
from stats.tabulate import Cube


def as_cube_layout(frame: pd.DataFrame, cube: Cube) -> np.ndarray | None:
    """Return a previous table's frame as an array shaped like ``cube``, if it matches."""
    expected = cube.frame()
    if frame.shape != expected.shape or not frame.index.equals(expected.index) \
            or list(frame.columns) != list(expected.columns):
        return None
    if isinstance(frame.dtypes.iloc[0], pd.Float64Dtype):
        return frame.to_numpy(dtype=float, na_value=np.nan).reshape(cube.counts.shape)
    return frame.to_numpy().reshape(cube.counts.shape)


def initial(cube: Cube, spec: TableSpec, rules: Rules, previous: TableRelease | None,
             structural_zero: np.ndarray) -> Protection:
    """Apply one table's own rules, keeping what the previous release hid, flag and all."""
    if spec.audit_only:  # every cell an unknown, unless another table publishes its key
        return _all_hidden(cube.counts.shape)
    out = Protection.empty(cube.counts.shape)
    # A count the previous release published keeps its figure while it stays within
    # rounding distance (see round_jointly), below the threshold too: one departure from a
    # cell of 10 must not hide it, or the hiding tells where the leaver was.
    carried = np.zeros(cube.counts.shape, dtype=bool)
    if previous is not None and previous.flags is not None:
        _keep_hidden(out, cube, previous)
        shown = None if previous.counts is None else \
            as_cube_layout(previous.counts.astype("Float64"), cube)
        if shown is not None:
            carried = ~np.isnan(shown) & (np.abs(cube.counts - np.nan_to_num(shown))
                                          <= rules.carry)
    out.hide(primary_mask(cube.counts, rules.threshold, rules.publish_zeros) & ~carried,
             PRIMARY)
    if spec.sensitive:
        out.hide(sensitive_mask(cube.counts, rules.dominance) & ~carried, SENSITIVE)
    if spec.measure == "row_share":
        out.hide(denominator_mask(cube.counts, rules.min_denominator) & ~carried, DENOMINATOR)
    # No one can be in a structural zero, as every reader knows: it is published as 0.
    out.hidden[structural_zero] = False
    out.flags[structural_zero] = PUBLISHED
    return out


def frozen(previous, tables: list[TableSpec], cubes: list[Cube], rules: Rules) -> bool:
    """Return whether the next release of a series keeps the previous one's hidden cells
    as they are, without deciding them again.

    Secondary suppression and the audit read exact counts, so one departure can make a
    line hide fewer people than the protection and another cell hidden beside it: the
    hiding would show where the leaver was.  So while every count of every table stays
    within ``Rules.carry`` of the counts the hidden cells were decided on
    (``Release.decided``), the decision stands -- a reader sees the figures carried as
    before and the same cells hidden, and learns nothing the previous release did not
    say -- and the counts it was decided on are carried on, so a larger change, over one
    release or several, has everything decided again and shows as usual.
    """
    decided = getattr(previous, "decided", None) or {}
    return previous is not None and all(
        spec.id in decided and decided[spec.id].shape == cube.counts.shape
        and int(np.abs(cube.counts - decided[spec.id]).max(initial=0)) <= rules.carry
        for spec, cube in zip(tables, cubes))


def as_before(cube: Cube, spec: TableSpec, previous: TableRelease | None) -> Protection:
    """Return the hidden cells of one table as the previous release of the series hid them
    (all of a withheld table's, every cell of an audit-only table)."""
    if spec.audit_only or previous is None or previous.flags is None:
        return _all_hidden(cube.counts.shape)
    out = Protection.empty(cube.counts.shape)
    if not _keep_hidden(out, cube, previous):
        raise ValueError(f"table {spec.id} changed its layout within a series")
    return out


def _all_hidden(shape: tuple[int, ...]) -> Protection:
    return Protection(np.ones(shape, dtype=bool), np.full(shape, SECONDARY, dtype="<U1"))


def _keep_hidden(out: Protection, cube: Cube, previous: TableRelease) -> bool:
    """Hide in ``out`` every cell ``previous`` hid; return whether its layout matched."""
    flags = as_cube_layout(previous.flags, cube)
    if flags is None:
        return False
    for flag in RULES:
        out.hide(flags == flag, flag)
    return True


def round_jointly(cubes: list[Cube], keys: list[np.ndarray], protections: list[Protection],
                   previous: list[np.ndarray | None], rules: Rules,
                   zeros: np.ndarray | None = None) -> list[np.ndarray]:
    """Round every count, one value per key, carrying previous values that still fit; keys
    in ``zeros`` (categories of next to no one: :mod:`stats.empty`) are shown as 0.

    Cells of one key count the same people, so they have the same cell key too: keyed
    random rounding gives them one figure as nearest rounding does."""
    parts = []
    for i, (cube, key, prot, prev) in enumerate(zip(cubes, keys, protections, previous)):
        shown = ~prot.hidden
        prior = np.full(cube.counts.shape, np.nan) if prev is None else prev.astype(float)
        if rules.random_rounding and cube.keys is None:
            raise ValueError(f"no cell keys for {cube.dims}: rounding at random needs them")
        cell_key = np.zeros(cube.counts.shape, np.uint64) if cube.keys is None else cube.keys
        parts.append(pd.DataFrame({"key": key[shown], "count": cube.counts[shown],
                                   "cell_key": cell_key[shown], "prior": prior[shown]}))
    if not parts:
        return []
    cells = pd.concat(parts, ignore_index=True)
    by_key = cells.groupby("key").agg(count=("count", "first"), cell_key=("cell_key", "first"),
                                      low=("prior", "min"), high=("prior", "max"))
    counts, base = by_key["count"].to_numpy(), rules.rounding_base
    value = pd.Series(random_round(counts, by_key["cell_key"].to_numpy(), base)
                      if rules.random_rounding else round_to_base(counts, base),
                      index=by_key.index)
    # Carry the previous figure only when every table showed the same one and it is still
    # within rounding distance, so tables agree and a few arrivals change nothing.
    carry = (by_key["low"] == by_key["high"]) & \
        ((by_key["count"] - by_key["low"]).abs() <= rules.carry)
    value[carry] = by_key.loc[carry, "low"].astype(np.int64)
    if zeros is not None and len(zeros):
        value[value.index.isin(zeros)] = 0
    out = []
    for cube, key, prot in zip(cubes, keys, protections):
        rounded = np.full(cube.counts.shape, np.nan)
        rounded[~prot.hidden] = value.reindex(key[~prot.hidden]).to_numpy(dtype=float)
        out.append(rounded)
    return out
