"""Keyed random rounding (stats/cellkey.py): unbiased, exact, keyed to who is counted, and
drawn afresh by each series."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from stats.catalogue import table
from stats.cellkey import cell_keys, key_sums, random_round, record_keys
from stats.published import Rules
from stats.release import build_release, release_extract
from stats.tabulate import RECORD_KEY, build_cube
from tests.stats import AS_OF, make_population


def test_random_rounding_goes_up_with_the_remainders_share_of_the_base():
    """Keys spread evenly over [0, 2**32): with a base of 4, a count of 6 goes up to 8 for
    exactly half of them and down to 4 for the rest; a multiple of the base never moves."""
    keys = np.arange(1024, dtype=np.uint64) << np.uint64(22)
    for count, ups in ((6, 512), (7, 768), (8, 0), (0, 0), (1, 256)):
        out = random_round(np.full(1024, count), keys, 4)
        assert set(np.unique(out)) <= {count - count % 4, count - count % 4 + 4}
        assert int((out > count).sum()) == ups, count
    # A base of 5: 12 goes up for two keys in five (within one key of 400 in 1,000).
    keys = np.arange(1000, dtype=np.uint64) * np.uint64(2**32 // 1000)
    assert abs(int((random_round(np.full(1000, 12), keys, 5) == 15).sum()) - 400) <= 1
    assert random_round(np.array([7]), np.array([2**32 - 1], dtype=np.uint64), 1)[0] == 7


def test_record_keys_are_repeatable_spread_and_secret():
    ids = np.arange(1, 200_001)
    keys = record_keys(ids, b"series one")
    assert np.array_equal(keys, record_keys(ids, b"series one"))
    assert keys.dtype == np.uint64 and int(keys.max()) < 2**32
    # As good as uniform: each sixteenth of the range holds a sixteenth, within 3 %.
    shares = np.bincount((keys >> np.uint64(28)).astype(np.int64), minlength=16) / len(ids)
    assert np.all(np.abs(shares * 16 - 1) < 0.03)
    other = record_keys(ids, b"series two")
    assert (keys == other).mean() < 0.001  # another secret: unrelated keys
    # Neighbouring ids are unrelated: the low bit of the key flips about half the time.
    flips = ((keys[1:] ^ keys[:-1]) & np.uint64(1)).mean()
    assert 0.48 < flips < 0.52


def test_key_sums_are_exact_modulo_two_to_the_32():
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 2**32, size=50_000, dtype=np.uint64)
    flat = rng.integers(0, 7, size=50_000)
    sums = cell_keys(key_sums(flat, keys, 7))
    for cell in range(7):
        exact = sum(int(k) for k in keys[flat == cell]) % 2**32
        assert int(sums[cell]) == exact


@pytest.fixture(scope="module")
def population():
    return make_population(1500, seed=8)


def test_a_cells_key_is_the_sum_of_its_peoples_keys(population):
    """So a total's key is the sum of its cells' keys, and any two cells counting the same
    people have one key (and one figure, wherever they are published)."""
    people, spells = population
    release = build_release(people, spells, AS_OF, series_key=b"k")
    extract = release_extract(people, spells, release).assign(
        **{RECORD_KEY: record_keys(people["pid"].to_numpy(), b"k")})
    cube = build_cube(extract, table("registrants_by_status_field"))
    interior = cube.keys[:-1, :-1].astype(object)
    assert np.array_equal(cube.keys[:-1, -1].astype(object), interior.sum(axis=1) % 2**32)
    assert np.array_equal(cube.keys[-1, :-1].astype(object), interior.sum(axis=0) % 2**32)


def test_a_release_is_the_same_with_the_same_secret_and_drawn_afresh_with_another(population):
    people, spells = population
    one = build_release(people, spells, AS_OF, series_key=b"k")
    again = build_release(people, spells, AS_OF, series_key=b"k")
    other = build_release(people, spells, AS_OF, series_key=b"another")
    drawn = build_release(people, spells, AS_OF)  # a new series: a secret of its own
    differ = 0
    for tid, t in one.tables.items():
        if t.counts is None:
            continue
        assert t.counts.equals(again.tables[tid].counts), tid
        assert t.flags.equals(again.tables[tid].flags), tid
        theirs = other.tables[tid].counts
        if theirs is not None and theirs.index.equals(t.counts.index) \
                and list(theirs.columns) == list(t.counts.columns):  # merged alike
            differ += int((t.counts != theirs).fillna(False).to_numpy().sum())
    assert differ > 100  # a draw of its own, for many cells
    assert drawn.series_key and len(drawn.series_key) == 32 and drawn.series_key != b"k"
    # The secret stays in the internal record: never in the release's metadata.
    assert "series_key" not in json.dumps(one.to_dict())
    assert one.to_dict()["rules"]["random_rounding"] is True
    assert any("rounded at random to a multiple of 5" in note for note in one.notes)


def test_a_series_begun_before_random_rounding_rounds_to_nearest_to_its_end(population):
    """A release stored before the rule existed unpickles as rounding to nearest; the next
    release of its series rounds to nearest too and keeps no secret."""
    people, spells = population
    old = build_release(people, spells, AS_OF, random_rounding=False)
    state = {k: v for k, v in old.rules.__dict__.items() if k != "random_rounding"}
    stored = pickle.loads(pickle.dumps(old))
    stored.rules.__setstate__(state)  # as a release pickled before the rule existed reads
    assert stored.rules.random_rounding is False and stored.rules == old.rules
    assert stored.series_key is None
    after = build_release(people, spells, AS_OF, previous=stored)
    assert after.rules.random_rounding is False and after.series_key is None
    assert any(note.startswith("Counts are rounded to base 5") for note in after.notes)
    for tid, t in old.tables.items():
        if t.counts is not None:
            assert t.counts.equals(after.tables[tid].counts), tid


def test_rules_say_how_far_a_series_carries_a_figure():
    assert Rules().carry == 5 and Rules(random_rounding=False).carry == 4


def test_a_series_draws_each_categorys_threshold_up_to_half_as_much_again():
    from stats.cellkey import drawn_threshold

    drawn = [drawn_threshold(b"series", f"nationality_group\0{c}", 50) for c in range(400)]
    assert min(drawn) == 50 and max(drawn) == 74  # every value of 50..74 is drawn
    assert len(set(drawn)) == 25
    assert drawn_threshold(b"series", "x", 50) == drawn_threshold(b"series", "x", 50)
    assert {drawn_threshold(bytes([k]), "x", 50) for k in range(40)} != {drawn[0]}
    assert drawn_threshold(None, "x", 50) == drawn_threshold(b"", "x", 50) == 50
    assert drawn_threshold(b"series", "x", 0) == 0  # no merging stays no merging


def test_rounding_at_random_refuses_to_go_on_without_its_keys(population):
    """Without a secret, or without cell keys, rounding at random would round every count
    the same way: the release refuses rather than publish that."""
    from stats.carry import round_jointly
    from stats.disclosure import Protection
    from stats.tabulate import Cube

    people, spells = population
    first = build_release(people, spells, AS_OF, series_key=b"k")
    first.series_key = None  # as if the secret were lost
    with pytest.raises(ValueError, match="kept no secret"):
        build_release(people, spells, AS_OF, previous=first)
    cube = Cube(("a",), (("x",),), np.array([12, 12]))
    with pytest.raises(ValueError, match="no cell keys"):
        round_jointly([cube], [np.array([0, 1], dtype=np.uint64)],
                      [Protection.empty((2,))], [None], Rules())
