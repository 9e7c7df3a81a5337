"""Disclosure control on count cubes: suppression, sensitive rows, rounding and shares.

A table is a :class:`~stats.tabulate.Cube`: counts with a total at the end of every axis.
A 2-D table has row totals, column totals and a grand total.  A 3-D table (layer x row x
column) is handled as its layers *plus the sum of the layers*, all sharing totals: every
line of cells along any axis -- a row, a column, or the same cell across layers -- adds up
to its total cell, and all those equations are published together.  Every rule below works
on lines along every axis, so it protects 2-D and 3-D tables alike.

Rules, in the order :func:`protect` applies them; the letters name the reason inside this
package only: a release prints every hidden cell as :data:`HIDDEN` (see :mod:`stats.release`):

``x`` primary: a count below ``threshold`` is hidden -- *including zeros* unless
    ``publish_zeros``.  Publishing zeros is allowed, but then a cell that goes from "0" to
    "x" between two releases shows that someone with that rare combination arrived; hiding
    small counts and zeros alike closes that differencing channel.  Totals obey it too.
``r`` sensitive: for sensitive measures (income, sector distributions) a row (a group) is
    published only if at least two of its values are non-zero and none exceeds
    ``dominance`` (90 %) of the row; otherwise its cells are hidden (the group size stays).
``d`` denominator: in share tables a row whose total is below ``min_denominator`` has its
    cells hidden (its size may still be published).
``s`` secondary: no line may hold exactly one hidden cell (it would be its total minus the
    published rest), and a line whose total is published must hide at least
    ``protection`` people in total; otherwise hide its smallest published non-zero cell (its
    total if there is none), over all axes until nothing changes.
Then :mod:`stats.audit` checks what an attacker can actually derive, and published counts
are rounded (at random, keyed to who is counted: :mod:`stats.cellkey`; to nearest,
:func:`round_to_base`, in series begun before) -- totals from exact sums, never summed from
rounded cells.  Hidden cells are NA in values and carry a flag; published cells have flag ``""``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stats.tabulate import Cube

PUBLISHED, PRIMARY, SECONDARY, SENSITIVE, DENOMINATOR = "", "x", "s", "r", "d"
#: The one sign a release prints for every hidden cell; the reasons stay internal.
HIDDEN = "x"
RULES = (PRIMARY, SENSITIVE, DENOMINATOR, SECONDARY)


@dataclass
class Protection:
    """Hold the hidden cells of one cube, why each is hidden, and counts per rule."""

    hidden: np.ndarray
    flags: np.ndarray
    hidden_by_rule: dict[str, int] = field(default_factory=dict)

    @classmethod
    def empty(cls, shape: tuple[int, ...]) -> Protection:
        """Return a protection that hides nothing."""
        return cls(np.zeros(shape, dtype=bool), np.full(shape, PUBLISHED, dtype="<U1"))

    def hide(self, mask: np.ndarray, flag: str) -> int:
        """Hide the cells in ``mask`` not hidden yet, flag them, return how many."""
        new = mask & ~self.hidden
        self.hidden |= new
        self.flags[new] = flag
        return int(new.sum())

    def count(self) -> dict[str, int]:
        """Return how many cells each rule hid (cells hidden by an earlier rule not recounted)."""
        return {rule: int((self.flags == rule).sum()) for rule in RULES}


def primary_mask(counts: np.ndarray, threshold: int, publish_zeros: bool = False) -> np.ndarray:
    """Return the cells below ``threshold`` (zeros included unless ``publish_zeros``)."""
    small = counts < threshold
    return small & (counts > 0) if publish_zeros else small


def _last_axis_total(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return counts[..., :-1], counts[..., -1:]


def sensitive_mask(counts: np.ndarray, dominance: float = 0.9) -> np.ndarray:
    """Return the cells of rows (lines along the last axis) that fail the sensitive rule."""
    cells, total = _last_axis_total(counts)
    distinct = (cells > 0).sum(axis=-1, keepdims=True)
    dominant = cells.max(axis=-1, keepdims=True, initial=0) > dominance * total
    fails = (total > 0) & ((distinct < 2) | dominant)
    mask = np.zeros(counts.shape, dtype=bool)
    mask[..., :-1] = np.broadcast_to(fails, cells.shape)
    return mask


def denominator_mask(counts: np.ndarray, min_denominator: int) -> np.ndarray:
    """Return the cells of rows whose total is below ``min_denominator``."""
    cells, total = _last_axis_total(counts)
    mask = np.zeros(counts.shape, dtype=bool)
    mask[..., :-1] = np.broadcast_to(total < min_denominator, cells.shape)
    return mask


def _lines(array: np.ndarray, axis: int) -> np.ndarray:
    """Return the lines of ``array`` along ``axis`` as rows (total last)."""
    return np.moveaxis(array, axis, -1).reshape(-1, array.shape[axis])


def _unlines(lines: np.ndarray, like: np.ndarray, axis: int) -> np.ndarray:
    return np.moveaxis(lines.reshape(np.moveaxis(like, axis, -1).shape), -1, axis)


def _hide_in_lines(v: np.ndarray, h: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Return, for each line in ``need``, its smallest published non-zero cell (else total)."""
    n = v.shape[1] - 1
    candidates = ~h[:, :n] & (v[:, :n] > 0)
    score = np.where(candidates, v[:, :n], np.iinfo(np.int64).max)
    choice = score.argmin(axis=1)  # ties: first label, so the choice is deterministic
    has = candidates.any(axis=1)
    add = np.zeros_like(h)
    lines = np.flatnonzero(need & has)
    add[lines, choice[lines]] = True
    add[np.flatnonzero(need & ~has & ~h[:, n]), n] = True
    return add


def _secondary_step(counts: np.ndarray, hidden: np.ndarray, axis: int,
                    protection: int) -> np.ndarray:
    """Return the cells to hide so the lines along ``axis`` protect their hidden cells."""
    v, h = _lines(counts, axis), _lines(hidden, axis)
    n = v.shape[1] - 1
    hidden_inner = h[:, :n]
    hidden_sum = np.where(hidden_inner, v[:, :n], 0).sum(axis=1)
    # One hidden cell is its total minus the rest; hidden cells worth fewer than
    # `protection` people under a published total can be bounded too tightly.
    need = (h.sum(axis=1) == 1) | (~h[:, n] & hidden_inner.any(axis=1)
                                   & (hidden_sum < protection))
    return _unlines(_hide_in_lines(v, h, need), hidden, axis)


def secondary_mask(counts: np.ndarray, hidden: np.ndarray, protection: int) -> np.ndarray:
    """Return ``hidden`` grown, over every axis to a fixed point, by secondary suppression."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for axis in range(counts.ndim):
            add = _secondary_step(counts, hidden, axis, protection) & ~hidden
            if add.any():
                hidden |= add
                changed = True
    return hidden


def widen(counts: np.ndarray, hidden: np.ndarray, exposed: np.ndarray) -> np.ndarray:
    """Return more cells to hide: one per published-total line through an exposed cell.

    A hidden total bounds the cells under it, so the lines through a hidden total of a line
    with an exposed cell are widened too.
    """
    exposed = exposed.copy()
    for _ in range(counts.ndim):
        for axis in range(counts.ndim):
            e, h = _lines(exposed, axis), _lines(hidden, axis)
            e[:, -1] |= e.any(axis=1) & h[:, -1]
            exposed = _unlines(e, exposed, axis)
    add = np.zeros_like(hidden)
    for axis in range(counts.ndim):
        h = _lines(hidden, axis)
        need = _lines(exposed, axis).any(axis=1) & ~h[:, -1]
        add |= _unlines(_hide_in_lines(_lines(counts, axis), h, need), hidden, axis)
    return add & ~hidden


def round_to_base(values: np.ndarray, base: int) -> np.ndarray:
    """Round each value to the nearest multiple of ``base``, halves up; 0 stays 0."""
    values = np.asarray(values, dtype=np.int64)
    if base <= 1:
        return values.copy()
    return (values + base // 2) // base * base


def row_shares(rounded: np.ndarray, hidden: np.ndarray, decimals: int = 1) -> np.ndarray:
    """Return each published cell as a percentage of its published (rounded) row total."""
    cells, total = _last_axis_total(rounded.astype(np.float64))
    cell_hidden, total_hidden = _last_axis_total(hidden)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.round(cells / total * 100.0, decimals)
    share[cell_hidden | total_hidden | (total == 0)] = np.nan
    return share


def initial_protection(cube: Cube, *, threshold: int = 10, publish_zeros: bool = False,
                       sensitive: bool = False, dominance: float = 0.9,
                       min_denominator: int | None = None) -> Protection:
    """Apply the rules that look at one cube alone: primary, sensitive and denominator."""
    out = Protection.empty(cube.counts.shape)
    out.hide(primary_mask(cube.counts, threshold, publish_zeros), PRIMARY)
    if sensitive:
        out.hide(sensitive_mask(cube.counts, dominance), SENSITIVE)
    if min_denominator is not None:
        out.hide(denominator_mask(cube.counts, min_denominator), DENOMINATOR)
    return out


def protect(cube: Cube, *, threshold: int = 10, protection: int | None = None,
            publish_zeros: bool = False, sensitive: bool = False, dominance: float = 0.9,
            min_denominator: int | None = None) -> Protection:
    """Return the cells of one table to hide under every rule, secondary included."""
    out = initial_protection(cube, threshold=threshold, publish_zeros=publish_zeros,
                             sensitive=sensitive, dominance=dominance,
                             min_denominator=min_denominator)
    width = threshold if protection is None else protection
    out.hide(secondary_mask(cube.counts, out.hidden, width), SECONDARY)
    out.hidden_by_rule = out.count()
    return out


def published_values(cube: Cube, protection: Protection, rounding_base: int = 5) -> np.ndarray:
    """Return rounded counts as floats with NaN for hidden cells."""
    values = round_to_base(cube.counts, rounding_base).astype(np.float64)
    values[protection.hidden] = np.nan
    return values
