"""Categories of next to no one in a table's population: shown as 0 (stats.empty)."""

from __future__ import annotations

import numpy as np
import pytest

import stats.empty
from stats.audit import KeyRelations
from stats.empty import LEAST_PEOPLE, empty_categories, empty_keys
from stats.release import build_release, release_extract
from stats.tabulate import Cube, build_cube, with_totals
from tests.stats import AS_OF, make_population

SECRET = b"empty categories"
#: Working doctorate holders all have a completion date here: years since it is never
#: unknown, and "Unknown" is a layer of zeros.
TABLE = "sector_by_field_years_since"


def _cube(interior) -> Cube:
    interior = np.asarray(interior, dtype=np.int64)
    labels = tuple(tuple(f"{d}{i}" for i in range(n)) for d, n in zip("rc", interior.shape))
    return Cube(("r", "c"), labels, with_totals(interior))


@pytest.fixture(scope="module")
def population():
    return make_population(3000, seed=3)


def test_rule10_a_category_of_next_to_no_one_is_shown_only_where_it_says_nothing_of_anyone(
        monkeypatch):
    monkeypatch.setattr(stats.empty, "drawn_below", lambda *args: 3)  # up to 3 people
    big = _cube([[60, 0, 30, 20], [40, 3, 10, 15]])
    shown = empty_categories(big, SECRET, 5)
    assert shown[:, 1].all() and shown.sum() == 3  # column c1 and its total, nothing else
    assert not empty_categories(_cube([[60, 0, 30, 20], [40, 4, 10, 15]]), SECRET, 5).any()
    assert not empty_categories(big, None, 5).any()  # series begun before: hidden as ever
    small = _cube([[6, 0, 3, 2], [4, 0, 1, 1]])
    assert small.counts[-1, -1] < LEAST_PEOPLE
    assert not empty_categories(small, SECRET, 5).any()  # too few people
    # With one other category left, "next to no one is X" would say everyone is that one.
    binary = _cube([[90, 0], [80, 1]])
    assert not empty_categories(binary, SECRET, 5)[:, 1].any()


def test_each_series_draws_how_few_a_category_shown_as_0_may_hold():
    """The line is drawn for each series and category, from 0 to 4 with a base of 5: a
    category of 2 is shown as 0 in some series (its cells too) and hidden in others."""
    cube = _cube(np.r_[np.full((2, 3), 100), np.full((200, 3), [2, 0, 0])])
    shown = [empty_categories(cube, bytes([s]), 5)[2:-1, 0].mean() for s in range(5)]
    assert all(0.45 < share < 0.75 for share in shown), shown  # lines 2, 3, 4 of 0 to 4
    assert len(set(shown)) > 1  # each series draws its own


def test_every_box_inside_one_shown_as_0_is_shown_too():
    # key 0 = keys 1 + 2; key 1 nests key 4; key 3 = key 5: none of that added
    relations = KeyRelations(sums=[(0, [1, 2]), (3, [5])], nestings=[(4, 1)])
    assert empty_keys(np.array([0], np.uint64), relations).tolist() == [0, 1, 2, 4]
    assert empty_keys(np.array([2], np.uint64), relations).tolist() == [2]


def test_a_category_no_one_has_is_shown_as_zero_and_spares_the_cells_around_it(
        population, monkeypatch):
    """At 3,000 registrants, "Unknown" years since completion holds no one in work: hidden,
    the other layers' published totals pin each of its cells to 0, and the audit hides the
    cells around them to undo it.  Shown as 0, nothing is hidden for it."""
    people, spells = population
    shown = build_release(people, spells, AS_OF, series_key=SECRET)
    monkeypatch.setattr(stats.empty, "LEAST_PEOPLE", 10**9)  # never shown
    hidden = build_release(people, spells, AS_OF, series_key=SECRET)
    table = shown.tables[TABLE]
    unknown = table.counts.xs("Unknown", level="years_since_band")
    assert (unknown == 0).all().all() and (table.flags.xs(
        "Unknown", level="years_since_band") == "").all().all()
    assert (hidden.tables[TABLE].flags.xs("Unknown", level="years_since_band") != "").all().all()
    extract = release_extract(people, spells, shown)
    assert build_cube(extract, table.spec).counts[-2].sum() == 0  # the layer before the total
    cells_hidden = [sum(int((t.flags != "").to_numpy().sum()) for t in r.tables.values()
                        if t.flags is not None) for r in (shown, hidden)]
    assert cells_hidden[0] < cells_hidden[1], cells_hidden
    # Every published cell counts at least 10, or fewer than 5 and shows 0.
    for t in shown.tables.values():
        if t.flags is None:
            continue
        counts = build_cube(extract, t.spec).counts.reshape(t.flags.shape)
        published = (t.flags == "").to_numpy()
        figures = t.counts.to_numpy(na_value=-1)
        assert ((counts >= 10) | ((counts < 5) & (figures == 0)))[published].all(), t.spec.id
    assert any("shown as 0 throughout the table" in note for note in shown.notes)
