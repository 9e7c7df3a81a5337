"""Categories no one in a table's population has: shown as 0 in most series (stats.empty)."""

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


def test_an_empty_category_is_shown_only_where_it_says_nothing_of_anyone(monkeypatch):
    monkeypatch.setattr(stats.empty, "drawn_chance", lambda *args: False)  # never hidden
    big = _cube([[60, 0, 30, 20], [40, 0, 10, 15]])
    shown = empty_categories(big, SECRET)
    assert shown[:, 1].all() and shown.sum() == 3  # column c1 and its total, nothing else
    assert not empty_categories(big, None).any()  # series begun before: hidden as ever
    small = _cube([[6, 0, 3, 2], [4, 0, 1, 1]])
    assert small.counts[-1, -1] < LEAST_PEOPLE
    assert not empty_categories(small, SECRET).any()  # too few people: "none of them is X"
    # With one other category left, "no one is X" would say everyone is that one.
    binary = _cube([[90, 0], [80, 0]])
    assert not empty_categories(binary, SECRET)[:, 1].any()


def test_each_series_hides_about_one_empty_category_in_five():
    cube = _cube(np.r_[np.full((2, 3), 100), np.zeros((200, 3), dtype=np.int64)])
    shown = [empty_categories(cube, bytes([s]))[2:-1, 0].mean() for s in range(5)]
    assert all(0.7 < share < 0.9 for share in shown), shown  # 200 rows each: near 4 in 5
    assert len(set(shown)) > 1  # each series draws its own


def test_every_box_inside_one_shown_empty_is_shown_too():
    counts = np.array([0, 0, 0, 5, 0, 7])
    # key 0 = keys 1 + 2; key 1 nests key 4; key 3 = key 5 (not empty): none of it added
    relations = KeyRelations(sums=[(0, [1, 2]), (3, [5])], nestings=[(4, 1)])
    assert empty_keys(np.array([0], np.uint64), counts, relations).tolist() == [0, 1, 2, 4]
    assert empty_keys(np.array([2], np.uint64), counts, relations).tolist() == [2]


def test_a_category_no_one_has_is_shown_as_zero_and_spares_the_cells_around_it(
        population, monkeypatch):
    """At 3,000 registrants, "Unknown" years since completion holds no one in work: hidden,
    the other layers' published totals pin each of its cells to 0, and the audit hides the
    cells around them to undo it.  Shown as 0, nothing is hidden for it."""
    people, spells = population
    monkeypatch.setattr(stats.empty, "drawn_chance", lambda *args: False)
    shown = build_release(people, spells, AS_OF, series_key=SECRET)
    monkeypatch.setattr(stats.empty, "drawn_chance", lambda *args: True)
    hidden = build_release(people, spells, AS_OF, series_key=SECRET)
    table = shown.tables[TABLE]
    unknown = table.counts.xs("Unknown", level="years_since_band")
    assert (unknown == 0).all().all() and (table.flags.xs(
        "Unknown", level="years_since_band") == "").all().all()
    assert (hidden.tables[TABLE].flags.xs("Unknown", level="years_since_band") != "").all().all()
    extract = release_extract(people, spells, shown)
    truth = build_cube(extract, table.spec).counts
    assert truth[-2].sum() == 0  # "Unknown" is the layer before the total
    cells_hidden = [sum(int((t.flags != "").to_numpy().sum()) for t in r.tables.values()
                        if t.flags is not None) for r in (shown, hidden)]
    assert cells_hidden[0] < cells_hidden[1], cells_hidden
    # No other zero is shown for it: every published 0 counts no one, every small count
    # other than 0 stays hidden.
    for t in shown.tables.values():
        if t.flags is None:
            continue
        counts = build_cube(extract, t.spec).counts.reshape(t.flags.shape)
        published = (t.flags == "").to_numpy()
        assert (counts[published] >= 10).sum() + (counts[published] == 0).sum() == \
            published.sum(), t.spec.id
        assert (t.counts.to_numpy(na_value=-1)[published & (counts == 0)] == 0).all()


def test_a_new_series_draws_which_empty_categories_it_shows(population):
    people, spells = population
    notes = build_release(people, spells, AS_OF, series_key=SECRET).notes
    assert any("is shown as 0 throughout the table" in note for note in notes)
    shown = {bytes([s]): (build_release(people, spells, AS_OF, series_key=bytes([s]))
                          .tables[TABLE].flags.xs("Unknown", level="years_since_band")
                          == "").all().all() for s in range(6)}
    assert any(shown.values()) and not all(shown.values()), shown
