"""Rule 10 over time: comparing two releases proves nothing of the one person who arrived or
left between them -- in a series, and across a new series -- by the independent two-release
attacker (tests/stats/differ.py), which proves plenty when rounding is to nearest."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stats.extract import deidentify
from stats.release import build_release
from tests.stats import AS_OF, box_counter, make_population
from tests.stats.attacker import published
from tests.stats.differ import attack_pair

#: Three registrants of the population below: an enrolled student, a degree holder in work,
#: and one whose arrival rounding to nearest happened not to show.
PEOPLE = (483, 402, 14)


@pytest.fixture(scope="module")
def population():
    people, spells = make_population(600, seed=5)
    return people, spells, dict(zip(people["university"], people["university_type"]))


def _without(people: pd.DataFrame, spells: pd.DataFrame, pid: int):
    return people[people["pid"] != pid], spells[spells["pid"] != pid]


def _proofs(smaller, larger, types):
    return attack_pair(published(smaller), published(larger), types)


def _assert_true(proofs, people, spells, pid: int) -> None:
    """Every box the attacker proved holds the person does hold them: its proofs are sound."""
    person = deidentify(people, spells, AS_OF)[(people["pid"] == pid).to_numpy()]
    count = box_counter(person)
    assert all(count(proof.box) == 1 for proof in proofs), \
        [proof.cells[0] for proof in proofs if count(proof.box) != 1]


@pytest.mark.parametrize("pid", PEOPLE)
def test_rule10_an_arrival_or_a_departure_within_a_series_proves_nothing(population, pid):
    """Arrival: release A without X, then the next release of its series with X.
    Departure: a release of everyone, then the next of its series without X."""
    people, spells, types = population
    without = _without(people, spells, pid)
    before = build_release(*without, AS_OF)
    arrived = build_release(people, spells, AS_OF, previous=before)
    assert _proofs(before, arrived, types) == []
    everyone = build_release(people, spells, AS_OF)
    left = build_release(*without, AS_OF, previous=everyone)
    assert _proofs(left, everyone, types) == []


@pytest.mark.parametrize("pid", PEOPLE)
def test_rule10_comparing_releases_of_two_series_proves_nothing(population, pid):
    """A release without X, and the first release of a new series with X (or the other way
    round: the same pair read as a departure).  Each series draws its own rounding."""
    people, spells, types = population
    before = build_release(*_without(people, spells, pid), AS_OF)
    after = build_release(people, spells, AS_OF)
    assert before.series_key != after.series_key
    assert _proofs(before, after, types) == []


@pytest.mark.parametrize("pid", PEOPLE[:2])
def test_rounding_to_nearest_gave_a_new_series_away_and_the_attacker_sees_it(population, pid):
    """The control: rounded to nearest, a new series after X arrived changes exactly the
    figures whose counts crossed a rounding edge, and the attacker proves where X is --
    truly (each proven box holds X)."""
    people, spells, types = population
    nearest = {"random_rounding": False}
    before = build_release(*_without(people, spells, pid), AS_OF, **nearest)
    after = build_release(people, spells, AS_OF, **nearest)
    proofs = _proofs(before, after, types)
    assert proofs, "rounding to nearest exposed this person in a new series"
    _assert_true(proofs, people, spells, pid)


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(min_value=30, max_value=400), seed=st.integers(0, 10_000),
       pick=st.integers(0, 10_000), secret=st.binary(min_size=4, max_size=4))
def test_rule10_holds_over_time_for_random_small_populations(size, seed, pick, secret):
    """Any small population, anyone arriving or leaving, in a series or across two."""
    people, spells = make_population(size, seed=seed)
    types = dict(zip(people["university"], people["university_type"]))
    pid = int(people["pid"].iloc[pick % size])
    without = _without(people, spells, pid)
    before = build_release(*without, AS_OF, series_key=secret)
    everyone = build_release(people, spells, AS_OF, series_key=secret + b"next")
    pairs = {"arrival": (before, build_release(people, spells, AS_OF, previous=before)),
             "departure": (build_release(*without, AS_OF, previous=everyone), everyone),
             "new series": (before, everyone)}
    for mode, (smaller, larger) in pairs.items():
        assert _proofs(smaller, larger, types) == [], mode


def test_rule10_a_country_named_in_a_new_series_does_not_tell_who_arrived():
    """A country is named on its own from 50 registrants; a new series draws each country's
    threshold (50 to 74), which the attacker knows.  Across a new series, the 50th Chinese
    registrant arriving proves nothing, whichever threshold each series drew; within a
    series the names stand.  Rounding to nearest (series begun before: a threshold of
    exactly 50), the attacker proves the newcomer's nationality -- the control."""
    people, spells = make_population(600, seed=5)
    chinese = people.index[people["nationality"] == "CN"]
    people.loc[chinese[: len(chinese) - 50], "nationality"] = "KR"
    types = dict(zip(people["university"], people["university_type"]))
    pid = int(people.loc[chinese[-1], "pid"])
    without = _without(people, spells, pid)
    china = (("nationality_group", frozenset({"CN"})),)
    for secret in (b"a", b"b", b"c", b"d"):
        before = build_release(*without, AS_OF, series_key=secret)
        after = build_release(people, spells, AS_OF, series_key=secret + b"'")
        assert _proofs(before, after, types) == [], secret
        assert _proofs(before, build_release(people, spells, AS_OF, previous=before),
                       types) == []
    nearest = {"random_rounding": False}
    proofs = _proofs(build_release(*without, AS_OF, **nearest),
                     build_release(people, spells, AS_OF, **nearest), types)
    assert china in [p.box for p in proofs]
    _assert_true(proofs, people, spells, pid)
