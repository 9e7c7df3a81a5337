"""Count an extract into cubes: n-dimensional count arrays with totals on every axis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stats.catalogue import Filter, TableSpec
from stats.cellkey import cell_keys, key_sums

TOTAL = "Total"
#: The extract's column of record keys (stats.cellkey), when the release rounds by them.
RECORD_KEY = "record_key"


@dataclass(frozen=True)
class Cube:
    """Hold counts by category on each axis, the last index of every axis being its total."""

    dims: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    counts: np.ndarray
    keys: np.ndarray | None = None  # cell keys (stats.cellkey), shaped as counts

    @property
    def interior(self) -> tuple[slice, ...]:
        """Return the index of the cells that are not totals on any axis."""
        return tuple(slice(0, len(labels)) for labels in self.labels)

    def frame(self, values: np.ndarray | None = None) -> pd.DataFrame:
        """Return ``values`` (default: counts) as a frame: rows by all but the last axis."""
        values = self.counts if values is None else values
        names = [(*labels, TOTAL) for labels in self.labels]
        if len(self.dims) == 1:
            return pd.DataFrame({self.dims[0]: values}, index=pd.Index(names[0]))
        index = pd.MultiIndex.from_product(names[:-1], names=list(self.dims[:-1]))
        if len(self.dims) == 2:
            index = index.get_level_values(0).rename(self.dims[0])
        columns = pd.Index(names[-1], name=self.dims[-1])
        return pd.DataFrame(values.reshape(-1, values.shape[-1]), index=index, columns=columns)


def with_totals(interior: np.ndarray) -> np.ndarray:
    """Return ``interior`` extended by one total entry on every axis."""
    out = interior
    for axis in range(interior.ndim):
        out = np.concatenate([out, out.sum(axis=axis, keepdims=True, dtype=out.dtype)],
                             axis=axis)
    return out


def cube_from_frame(counts: pd.DataFrame) -> Cube:
    """Return a 2-D cube (row and column totals added) from a frame of interior counts."""
    values = counts.to_numpy(dtype=np.int64)
    if (values < 0).any():
        raise ValueError("counts must be non-negative")
    labels = (tuple(map(str, counts.index)), tuple(map(str, counts.columns)))
    dims = (str(counts.index.name or "row"), str(counts.columns.name or "column"))
    return Cube(dims, labels, with_totals(values))


def population_mask(extract: pd.DataFrame, population: Filter, excluding: Filter) -> pd.Series:
    """Return which rows of the extract belong to a declared population."""
    mask = pd.Series(True, index=extract.index)
    for column, values in population:
        mask &= extract[column].isin(values)
    for column, values in excluding:
        mask &= ~extract[column].isin(values)
    return mask


def axis_labels(extract: pd.DataFrame, spec: TableSpec, dim: str) -> tuple[str, ...]:
    """Return the categories of ``dim`` that the table's population can take, in order."""
    labels = list(extract[dim].cat.categories)
    keep = dict(spec.population).get(dim)
    drop = set(dict(spec.excluding).get(dim, ()))
    return tuple(v for v in labels if (keep is None or v in keep) and v not in drop)


def build_cube(extract: pd.DataFrame, spec: TableSpec) -> Cube:
    """Count the table's population over its dimensions, with totals on every axis."""
    mask = population_mask(extract, spec.population, spec.excluding).to_numpy()
    rows = extract.loc[mask, list(spec.dimensions)]  # not every column of a wide extract
    labels = tuple(axis_labels(extract, spec, d) for d in spec.dimensions)
    shape = tuple(len(lab) for lab in labels)
    codes = [rows[d].cat.set_categories(list(lab)).cat.codes.to_numpy(dtype=np.int64)
             for d, lab in zip(spec.dimensions, labels)]
    flat = np.ravel_multi_index(codes, shape) if len(rows) else np.zeros(0, np.int64)
    size = int(np.prod(shape))
    counts = np.bincount(flat, minlength=size).astype(np.int64).reshape(shape)
    keys = None
    if RECORD_KEY in extract.columns:  # each cell's key: its people's keys summed
        halves = key_sums(flat, extract[RECORD_KEY].to_numpy()[mask], size)
        keys = cell_keys([with_totals(h.reshape(shape)) for h in halves])
    return Cube(spec.dimensions, labels, with_totals(counts), keys)
