"""Suppression, rounding, shares and the sensitive rule on single tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stats.disclosure import (
    DENOMINATOR, PRIMARY, PUBLISHED, SECONDARY, SENSITIVE, protect, published_values,
    round_to_base, row_shares,
)
from stats.tabulate import Cube, cube_from_frame, with_totals


def _cube(rows: list[list[int]]):
    return cube_from_frame(pd.DataFrame(rows, index=[f"r{i}" for i in range(len(rows))],
                                        columns=[f"c{j}" for j in range(len(rows[0]))]))


def _lines_have_no_single_hidden_cell(hidden: np.ndarray) -> bool:
    return all(((np.moveaxis(hidden, axis, -1).sum(axis=-1)) != 1).all()
               for axis in range(hidden.ndim))


def test_small_counts_are_hidden_and_marked_x():
    cube = _cube([[3, 40, 50], [20, 30, 60], [25, 35, 45]])
    prot = protect(cube)
    assert prot.flags[0, 0] == PRIMARY
    assert prot.hidden_by_rule[PRIMARY] == 1
    assert np.isnan(published_values(cube, prot)[0, 0])


def test_zeros_are_hidden_like_small_counts_unless_published_on_request():
    cube = _cube([[0, 40, 50], [20, 30, 60], [25, 35, 45]])
    assert protect(cube).flags[0, 0] == PRIMARY
    shown = protect(cube, publish_zeros=True)
    assert not shown.hidden.any()
    assert published_values(cube, shown)[0, 0] == 0


def test_secondary_suppression_leaves_no_line_with_a_single_hidden_cell():
    cube = _cube([[3, 40, 50], [20, 30, 60], [25, 35, 45]])
    prot = protect(cube)
    assert prot.hidden_by_rule[SECONDARY] >= 3
    assert _lines_have_no_single_hidden_cell(prot.hidden)
    # The heuristic hides the smallest cell in the row and in the column of the small one.
    assert prot.flags[0, 1] == SECONDARY and prot.flags[1, 0] == SECONDARY


def test_secondary_suppression_hides_a_total_when_a_line_has_nothing_else_to_hide():
    cube = _cube([[4, 0], [30, 50]])
    prot = protect(cube, publish_zeros=True)
    # Row r0 holds one non-zero cell: only its total can protect it.
    assert prot.hidden[0, 2]
    assert _lines_have_no_single_hidden_cell(prot.hidden)


def test_three_dimensional_tables_protect_lines_across_layers():
    layers = np.array([[[3, 40], [30, 50]], [[25, 35], [45, 55]]])
    cube = Cube(("sex", "field", "sector"), (("f", "m"), ("01", "02"), ("a", "b")),
                with_totals(layers))
    prot = protect(cube)
    assert prot.flags[0, 0, 0] == PRIMARY
    assert _lines_have_no_single_hidden_cell(prot.hidden)
    # The same cell in the other layer is hidden too, else the layer sum would give it away.
    assert prot.hidden[1, 0, 0] or prot.hidden[2, 0, 0]


def test_totals_are_rounded_from_exact_sums_not_summed_from_rounded_cells():
    cube = _cube([[11, 11, 11], [12, 12, 12]])
    values = published_values(cube, protect(cube), rounding_base=5)
    assert list(values[0, :3]) == [10, 10, 10]
    assert values[0, 3] == 35  # 33 rounded, not 10 + 10 + 10
    assert values[0, :3].sum() != values[0, 3]
    assert values[2, 3] == 70  # grand total 69


@pytest.mark.parametrize("value, rounded", [(0, 0), (2, 0), (3, 5), (12, 10), (13, 15),
                                            (17, 15), (18, 20), (1022, 1020)])
def test_counts_are_rounded_to_base_five_conventionally(value, rounded):
    assert round_to_base(np.array([value]), 5)[0] == rounded


def test_a_row_where_one_income_band_holds_95_percent_is_hidden():
    cube = _cube([[380, 10, 10], [40, 30, 30], [60, 25, 15]])
    prot = protect(cube, sensitive=True)
    assert list(prot.flags[0, :3]) == [SENSITIVE] * 3
    assert prot.hidden_by_rule[SENSITIVE] == 3
    assert not prot.hidden[0, 3], "the group's size is not sensitive"
    assert _lines_have_no_single_hidden_cell(prot.hidden)


def test_a_row_with_a_single_non_zero_value_is_hidden_when_sensitive():
    cube = _cube([[0, 50, 0], [40, 30, 30], [60, 25, 15]])
    flags = protect(cube, sensitive=True, publish_zeros=True).flags
    assert list(flags[0, :3]) == [SENSITIVE] * 3
    assert not protect(cube, publish_zeros=True).hidden[0, 1], "only for sensitive measures"


def test_shares_are_published_only_over_denominators_of_at_least_25():
    cube = _cube([[12, 12], [15, 10], [40, 60], [50, 50]])  # row totals 24, 25, 100, 100
    prot = protect(cube, min_denominator=25)
    assert list(prot.flags[0, :2]) == [DENOMINATOR, DENOMINATOR]
    assert DENOMINATOR not in prot.flags[1:]
    assert prot.flags[2, 0] == PUBLISHED and prot.flags[0, 2] == PUBLISHED  # n is shown
    values = published_values(cube, prot)
    shares = row_shares(np.nan_to_num(values), prot.hidden | np.isnan(values))
    assert np.isnan(shares[0]).all()
    assert shares[2].tolist() == [pytest.approx(40.0), pytest.approx(60.0)]
