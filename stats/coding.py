"""Columns as integer codes: each distinct value handled once, never a string per row.

De-identification maps a million rows onto a few dozen labels. Here a column is factorized
once (a code per row, -1 for NA, and its distinct values in first-seen order); a label is
chosen for each *distinct* value, and the rows follow by indexing an array of label
positions. The result is a ``pd.Categorical`` built from its codes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

UNKNOWN = "Unknown"


class Coded:
    """The columns of a frame, each factorized on first use and kept: ``coded[name]`` is
    ``(codes, distinct values)``."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._columns: dict[str, tuple[np.ndarray, list]] = {}

    def __getitem__(self, name: str) -> tuple[np.ndarray, list]:
        if name not in self._columns:
            codes, uniques = pd.factorize(self.frame[name], use_na_sentinel=True)
            self._columns[name] = (np.asarray(codes, dtype=np.int64), list(uniques))
        return self._columns[name]


def text(value) -> str:
    """A distinct value as ``Series.astype("string")`` writes it."""
    return value if isinstance(value, str) else pd.Series([value]).astype("string")[0]


def labelled(labels: Iterable[str], unknown: bool = True) -> list[str]:
    """The labels once each, in order, with ``Unknown`` last when asked."""
    return [*dict.fromkeys([*labels, UNKNOWN] if unknown else labels)]


def from_codes(codes: np.ndarray, labels: Iterable[str], unknown: bool = True
               ) -> pd.Categorical:
    """Return label positions (-1 for none) as a categorical of ``labels`` (+ ``Unknown``)."""
    return pd.Categorical.from_codes(codes, categories=labelled(labels, unknown))


def mapped(codes: np.ndarray, targets: Iterable[int], missing: int) -> np.ndarray:
    """Map each row's distinct-value code to a label position; NA rows (-1) to ``missing``."""
    lookup = np.fromiter((*targets, missing), dtype=np.int64)
    return lookup[codes]  # code -1 picks the last entry: ``missing``


def categorical(coded: tuple[np.ndarray, list], labels: Iterable[str], unknown: bool = True,
                spelling: Callable[[object], str] = text) -> pd.Categorical:
    """Return a coded column as a categorical of ``labels``, NA as ``Unknown``.

    A value whose ``spelling`` is not a label is missing (NaN), as ``pd.Categorical`` leaves
    it; without ``unknown`` an NA is missing too.
    """
    labels = labelled(labels, unknown)
    position = {label: i for i, label in enumerate(labels)}
    codes, uniques = coded
    return from_codes(mapped(codes, (position.get(spelling(u), -1) for u in uniques),
                             position.get(UNKNOWN, -1)), labels, unknown=False)


def unknown_codes(coded: tuple[np.ndarray, list], allowed: Iterable[str]) -> list:
    """The distinct values (NA aside) whose text is not among ``allowed``, first seen first."""
    allowed = set(allowed)
    return [u for u in coded[1] if str(u) not in allowed]
