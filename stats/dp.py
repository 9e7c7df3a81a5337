"""Differential privacy: the catalogue published whole, with noise from OpenDP.

The other way to release the catalogue (:func:`build_dp_release`, chosen by the deployment
or for one release): no cell is hidden and nothing is rounded; every count gets noise
drawn by OpenDP's discrete Gaussian mechanism, so what any reader can learn about one
registrant is bounded whatever they know and however many releases they compare.

The guarantee, in the terms a statistician checks:

* **Neighbours** are two populations that differ by one registrant, added or removed.
* **Sensitivity.** A registrant is counted in one interior cell of each table whose
  population holds them, and in that cell's totals: at most ``2 ** d`` cells of a table with
  ``d`` dimensions.  Cells that count the same people by construction (one key, see
  :mod:`stats.linkage`) are measured once, so the number of measurements one registrant
  touches is at most :func:`cells_per_person`, and adding or removing them moves the vector
  of true counts by at most its square root in Euclidean norm.  That bound comes from the
  catalogue alone, never from the data.
* **Noise.** Each measurement gets discrete Gaussian noise of scale
  ``sigma = sqrt(cells_per_person) / sqrt(2 * rho)``: the release is ``rho``-zero-concentrated
  differentially private (OpenDP reports the loss of the measurement it built, and the build
  refuses if that exceeds ``rho``).  Losses of releases add up (zCDP composes by sum), so a
  deployment states a budget per year; ``(epsilon, delta)`` is given beside it.
* **Nothing else depends on the data.** The categories of every table are fixed in advance:
  nationalities are Japan / other / unknown, universities are grouped by their type from the
  public list of types (a university named only when it is large would tell that it is).
  Structural zeros (cells no one can be in) are published as 0, as a reader knows them.
  What follows the noise -- negative counts shown as 0, percentages of noisy counts, a
  percentage left out when its noisy denominator is small -- is computed from the noisy
  counts only, which costs no privacy.

Each count is within ``margin`` of the truth 95 times in 100 (1.96 sigma); totals are
measured, not summed, so cells need not add up to their totals.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from stats import surveys as survey_tables
from stats.catalogue import CATALOGUE_VERSION, TableSpec, with_breakdowns
from stats.coding import labelled
from stats.disclosure import HIDDEN, PUBLISHED, row_shares
from stats.extract import deidentify
from stats.linkage import CANONICAL_DIMS, cell_definitions, link_keys
from stats.published import Release, Rules, TableRelease
from stats.surveys import SurveyAnswers
from stats.tabulate import TOTAL, Cube, build_cube

METHOD = "differential_privacy"
#: (epsilon, delta) is stated at this delta: far below one in the population.
DELTA = 1e-7
NOTE = ("Every count has noise added by a differentially private mechanism; totals are "
        "measured on their own, so cells need not add up to them.")
_NOT_NAMED = 10**12  # a minimum size no group reaches: no group named for its size


def cells_per_table(tables: Sequence[TableSpec]) -> int:
    """Return how many cells of ``tables`` one registrant can be in, counting shared ones
    once per table: ``2 ** d`` for a table of ``d`` dimensions (a cell and its totals)."""
    return sum(2 ** len(spec.dimensions) for spec in tables if not spec.audit_only)


def cells_per_person(tables: Sequence[TableSpec], cubes: Sequence[Cube],
                     keys: Sequence[np.ndarray], domains: Mapping[str, Sequence[str]],
                     limit: int = 200_000) -> int:
    """Return the most measurements (distinct keys) one registrant can be counted in.

    Which cells hold a registrant, and which of those count the same people, depends only
    on their values in the columns the tables' populations filter on (status, labour
    status, completion) and in those whose values a definition reads (the completion rule):
    every other column enters a cell's definition as a label, the same way whatever the
    label (:mod:`stats.linkage`).  So every combination of the filtered
    columns' categories is tried, once, with the first category of every other column;
    the most keys any of them is counted in bounds every possible registrant, whoever is
    in the data.  With more combinations than ``limit``, the cruder bound of
    :func:`cells_per_table` is used.
    """
    shown = {dim for spec in tables for dim in spec.dimensions}
    filtered = sorted({dim for spec in tables for dim, _ in (*spec.population, *spec.excluding)}
                      | (set(CANONICAL_DIMS) & shown))
    sizes = [len(domains[dim]) for dim in filtered]
    if math.prod(sizes) > limit:
        return cells_per_table(tables)
    grid = np.indices(sizes).reshape(len(sizes), -1)
    people = {dim: np.asarray(domains[dim], dtype=object)[grid[i]]
              for i, dim in enumerate(filtered)}
    n = grid.shape[1]
    held = []
    for spec, cube, key in zip(tables, cubes, keys):
        if spec.audit_only:
            continue
        inside = np.ones(n, dtype=bool)
        for dim, values in spec.population:
            inside &= np.isin(people[dim], values)
        for dim, values in spec.excluding:
            inside &= ~np.isin(people[dim], values)
        codes = []
        for dim, labels in zip(cube.dims, cube.labels):
            if dim in people:
                position = {label: i for i, label in enumerate(labels)}
                code = np.array([position.get(v, -1) for v in people[dim]])
            else:
                code = np.zeros(n, dtype=np.int64)  # the first category
            inside &= code >= 0
            codes.append(code)
        who = np.flatnonzero(inside)
        for totals in np.ndindex(*(2,) * len(codes)):  # each axis: own category or total
            index = tuple(np.where(t, len(labels), c[who])
                          for t, c, labels in zip(totals, codes, cube.labels))
            held.append(np.stack([who, key[index].astype(np.int64)], axis=1))
    pairs = np.unique(np.concatenate(held), axis=0) if held else np.zeros((0, 2), np.int64)
    return int(np.bincount(pairs[:, 0], minlength=n).max()) if len(pairs) else 0


def noise_scale(rho: float, cells: int) -> float:
    """Return the discrete Gaussian scale that makes one release ``rho``-zCDP."""
    if not rho > 0:
        raise ValueError("the privacy loss per release (rho) must be positive")
    return math.sqrt(cells) / math.sqrt(2.0 * rho)


def _opendp():
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def measure(counts: np.ndarray, scale: float, cells: int, rho: float) -> np.ndarray:
    """Return ``counts`` with discrete Gaussian noise from OpenDP; check the loss is ``rho``.

    OpenDP builds the mechanism on integer vectors under the Euclidean distance and says
    what loss a change of ``sqrt(cells)`` costs; a loss above ``rho`` is refused.
    """
    dp = _opendp()
    mechanism = dp.m.make_gaussian(dp.vector_domain(dp.atom_domain(T=int)),
                                   dp.l2_distance(T=float), scale=scale)
    loss = mechanism.map(math.sqrt(cells))
    if loss > rho * (1 + 1e-9):
        raise RuntimeError(f"the mechanism costs rho = {loss}, more than {rho}")
    return np.asarray(mechanism([int(c) for c in counts]), dtype=np.int64)


def epsilon(rho: float, delta: float = DELTA) -> float:
    """Return the ``epsilon`` of ``(epsilon, delta)``-DP that ``rho``-zCDP gives (OpenDP)."""
    dp = _opendp()
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l2_distance(T=float)
    # A mechanism whose loss for a change of 1 is exactly rho, converted by OpenDP.
    mechanism = dp.c.make_zCDP_to_approxDP(
        dp.m.make_gaussian(*space, scale=1.0 / math.sqrt(2.0 * rho)))
    return float(mechanism.map(1.0).epsilon(delta))


def fixed_categories(extract: pd.DataFrame, university_types: Sequence[str]) -> pd.DataFrame:
    """Return the extract with university categories from the public list of types only."""
    types = [str(t).strip().lower() for t in university_types]
    fixed = {
        "university_type": labelled(sorted(set(types))),
        "university_group": [*(f"Other {t} universities" for t in sorted(set(types))),
                             "Other universities"],
    }
    extract = extract.copy()
    for column, categories in fixed.items():
        present = set(extract[column].dropna().unique())
        unknown = present - set(categories)
        if unknown:
            raise ValueError(f"{column}: {sorted(unknown)} not in the public list of types")
        extract[column] = extract[column].cat.set_categories(categories)
    return extract


def _measured(cubes: list[Cube], keys: list[np.ndarray], empty: list[np.ndarray],
              scale: float, cells: int, rho: float) -> list[np.ndarray]:
    """Return each cube's noisy counts: one measurement per key, structural zeros kept 0."""
    parts = [pd.DataFrame({"key": k[~e], "count": c.counts[~e]})
             for c, k, e in zip(cubes, keys, empty)]
    by_key = pd.concat(parts, ignore_index=True).groupby("key")["count"].first()
    noisy = pd.Series(np.maximum(measure(by_key.to_numpy(), scale, cells, rho), 0),
                      index=by_key.index)
    out = []
    for cube, key, zero in zip(cubes, keys, empty):
        values = np.zeros(cube.counts.shape, dtype=np.int64)
        values[~zero] = noisy.reindex(key[~zero]).to_numpy()
        out.append(values)
    return out


def _table(spec: TableSpec, cube: Cube, values: np.ndarray, min_denominator: int,
           margin: int) -> TableRelease:
    counts = cube.frame(values).astype("Int64")
    if spec.measure != "row_share":
        flags = cube.frame(np.full(values.shape, PUBLISHED))
        return TableRelease(spec, counts, counts, flags, {HIDDEN: 0}, None, {}, margin)
    # A percentage of a small noisy denominator says little: left out (from noisy counts).
    small = np.broadcast_to(values[..., -1:] < min_denominator, values.shape).copy()
    small[..., -1] = False
    shares = row_shares(values, small)
    frame = cube.frame(np.concatenate([shares, values[..., -1:]], axis=-1))
    frame = frame.astype("Float64").rename(columns={TOTAL: "n"})
    flags = cube.frame(np.where(small, HIDDEN, PUBLISHED))
    return TableRelease(spec, frame, counts, flags, {HIDDEN: int(small.sum())}, None, {},
                        margin)


def build_dp_release(
    people: pd.DataFrame,
    spells: pd.DataFrame,
    as_of: date,
    *,
    rho: float,
    university_types: Sequence[str],
    min_denominator: int = 25,
    tables: tuple[TableSpec, ...] | None = None,
    surveys: Sequence[SurveyAnswers] = (),
    spent_this_year: float = 0.0,
) -> Release:
    """Return the catalogue (and closed surveys' tables) with noise: ``rho``-zCDP.

    ``university_types`` is the public list of university types (every university the
    registry knows, not those with registrants); ``spent_this_year`` is the loss of this
    year's earlier releases, stated beside this one's.
    """
    tables = with_breakdowns() if tables is None else tables
    extract = deidentify(people, spells, as_of, min_country_size=_NOT_NAMED,
                         min_university_size=_NOT_NAMED)
    extract = fixed_categories(extract, university_types)
    extract, added = survey_tables.extend(extract, people["pid"], surveys)
    tables = tuple(spec for spec in (*tables, *added) if not spec.audit_only)
    cubes = [build_cube(extract, spec) for spec in tables]
    domains = {c: tuple(extract[c].cat.categories) for c in extract.columns
               if isinstance(extract[c].dtype, pd.CategoricalDtype)}
    definitions = [cell_definitions(cube, spec, domains) for cube, spec in zip(cubes, tables)]
    keys = link_keys(definitions)
    cells = cells_per_person(tables, cubes, keys, domains)
    scale = noise_scale(rho, cells)
    values = _measured(cubes, keys, [np.equal(d, None) for d in definitions], scale, cells,
                       rho)
    margin = math.ceil(1.96 * scale)
    out = {spec.id: _table(spec, cube, v, min_denominator, margin)
           for spec, cube, v in zip(tables, cubes, values)}
    rules = Rules(threshold=0, rounding_base=1, min_denominator=min_denominator,
                  protection=0, dominance=1.0, publish_zeros=True,
                  min_country_size=_NOT_NAMED, min_university_size=_NOT_NAMED)
    privacy = {"method": METHOD, "rho": rho, "epsilon": round(epsilon(rho), 3),
               "delta": DELTA, "rho_this_year": round(spent_this_year + rho, 6),
               "epsilon_this_year": round(epsilon(spent_this_year + rho), 3),
               "cells_per_person": cells, "noise_sd": round(scale, 3),
               "margin_95": margin}
    notes = (NOTE, "Percentages are computed from the published noisy figures.",
             *((survey_tables.RELEASE_NOTE,) if surveys else ()))
    release = Release(as_of, CATALOGUE_VERSION, rules, out, None, notes,
                      tuple(survey.metadata() for survey in surveys))
    release.privacy = privacy
    return release
