"""Tests of stats/, and the synthetic registrants they run on."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

AS_OF = date(2025, 3, 31)

_FIELDS = [f"{i:02d}" for i in range(11)]
# Field "10" (services) is deliberately small, as it is among Japanese doctorates.
_FIELD_P = [0.02, 0.03, 0.08, 0.07, 0.06, 0.25, 0.06, 0.18, 0.06, 0.18, 0.03]
_SECTORS = ["university", "public_research", "government", "company", "non_profit",
            "self_employed", "other"]
_INCOME = ["lt2m", "2to4m", "4to6m", "6to8m", "8to10m", "10to15m", "ge15m", "undisclosed"]


def _pick(rng: np.random.Generator, values: list, p: list[float], n: int) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return rng.choice(np.asarray(values, dtype=object), size=n, p=p / p.sum())


def make_population(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return synthetic ``people`` and ``spells`` frames with ``n`` registrants."""
    rng = np.random.default_rng(seed)
    pid = np.arange(1, n + 1)
    status = _pick(rng, ["enrolled", "on_leave", "degree_awarded",
                         "completed_without_degree", "withdrawn"],
                   [0.22, 0.03, 0.60, 0.07, 0.08], n)
    days = rng.integers(0, (AS_OF - date(2003, 4, 1)).days, size=n)
    status_date = pd.Timestamp("2003-04-01") + pd.to_timedelta(days, unit="D")
    universities = [f"University {i:02d}" for i in range(40)]
    uni_p = 1.0 / np.arange(1, 41)  # a few large universities, many small ones
    uni_type = {u: ("national" if i % 3 == 0 else "private" if i % 3 == 1 else "public")
                for i, u in enumerate(universities)}
    university = _pick(rng, universities, list(uni_p), n)
    people = pd.DataFrame({
        "pid": pid,
        "birth_year": pd.array(rng.integers(1950, 2001, size=n), dtype="Int64"),
        "sex": _pick(rng, ["female", "male", "other", "undisclosed"],
                     [0.3, 0.65, 0.01, 0.04], n),
        "nationality": _pick(rng, ["JP", "CN", "KR", "IN", "VN", "ID", "US", None],
                             [0.78, 0.09, 0.04, 0.02, 0.02, 0.01, 0.01, 0.03], n),
        "university": university,
        "university_type": pd.Series(university).map(uni_type).to_numpy(),
        "field": _pick(rng, _FIELDS, _FIELD_P, n),
        "status": status,
        "status_date": status_date.date,
        "entry_date": (status_date - pd.to_timedelta(3 * 365, unit="D")).date,
    })
    has_spell = rng.random(n) < 0.85
    m = int(has_spell.sum())
    labour = _pick(rng, ["employed", "self_employed", "seeking", "studying",
                         "not_in_labour_force"], [0.82, 0.04, 0.05, 0.04, 0.05], m)
    sector = _pick(rng, _SECTORS, [0.45, 0.12, 0.05, 0.30, 0.03, 0.02, 0.03], m)
    working = np.isin(labour, ["employed", "self_employed"])
    spells = pd.DataFrame({
        "pid": pid[has_spell],
        "labour_status": labour,
        "sector": np.where(working, sector, None),
        "postdoc": pd.array(np.where(working, rng.random(m) < 0.2, None), dtype="boolean"),
        "employment_term": np.where(
            working, _pick(rng, ["permanent", "fixed_term", None], [0.55, 0.4, 0.05], m),
            None),
        "income_band": np.where(working, _pick(rng, _INCOME,
                                               [0.05, 0.15, 0.25, 0.2, 0.12, 0.1, 0.05, 0.08],
                                               m), None),
        "country": _pick(rng, ["JP", "US", "DE", "CN", None], [0.85, 0.05, 0.02, 0.03, 0.05],
                         m),
    })
    return people, spells


def add_person(people: pd.DataFrame, spells: pd.DataFrame, person: dict, spell: dict
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return copies of the frames with one more registrant (and their current spell)."""
    pid = int(people["pid"].max()) + 1
    people = pd.concat([people, pd.DataFrame([{**person, "pid": pid}])], ignore_index=True)
    spells = pd.concat([spells, pd.DataFrame([{**spell, "pid": pid}])], ignore_index=True)
    return people, spells


def check_against_truth(table, exact, rows=None, threshold: int = 10, base: int = 5
                        ) -> tuple[int, int]:
    """Check a published count table cell by cell against ``exact(row, column)``.

    A cell whose true count is below ``threshold`` must be hidden, unless it shows 0 and
    counts fewer than ``base`` (a category of next to no one: stats.empty); a published one
    must be a multiple of ``base`` less than ``base`` from the truth (a fresh series rounds
    at random, either way).
    Return how many cells were checked and how many of them were published.
    """
    assert table.withheld is None, (table.spec.id, table.withheld)
    checked = published = 0
    for row in table.counts.index if rows is None else rows:
        for column in table.counts.columns:
            true = exact(row, column)
            flag = table.flags.loc[row, column]
            checked += 1
            if true < threshold and flag == "":
                assert true < base and int(table.counts.loc[row, column]) == 0, \
                    (table.spec.id, row, column, true)
            if flag == "":
                published += 1
                shown = int(table.counts.loc[row, column])
                assert abs(shown - true) < base and shown % base == 0, \
                    (table.spec.id, row, column, shown, true)
    return checked, published


def box_counter(extract: pd.DataFrame):
    """Return a function counting the people of the extract in a box, as the independent
    attacker (tests/stats/attacker.py) writes boxes: merged columns of completion and
    university."""
    from tests.stats.attacker import COMPLETION, UNIVERSITY

    merged = {"C": list(zip(*(extract[d] for d in COMPLETION))),
              "U": list(zip(*(extract[d] for d in UNIVERSITY)))}
    codes = {}
    for name, values in merged.items():
        ids = {v: i for i, v in enumerate(dict.fromkeys(values))}
        codes[name] = (ids, np.array([ids[v] for v in values]))

    def count(box) -> int:
        keep = np.ones(len(extract), dtype=bool)
        for dim, allowed in box:
            if dim in codes:
                ids, column = codes[dim]
                keep &= np.isin(column, [ids[v] for v in allowed if v in ids])
            else:
                keep &= extract[dim].isin(allowed).to_numpy()
        return int(keep.sum())

    return count


def cell_truth(release, extract: pd.DataFrame):
    """Return a function giving a cell's true count by table id and coordinates (as the
    attacker reads them: a share table's "n" is its total), counted in ``extract`` as the
    release counted it (``stats.release.release_extract``)."""
    from stats.tabulate import TOTAL, build_cube

    frames = {}

    def count(table_id: str, coordinates: tuple) -> int:
        if table_id not in frames:
            frames[table_id] = build_cube(extract, release.tables[table_id].spec).frame()
        *row, column = coordinates
        return int(frames[table_id].loc[tuple(row) if len(row) > 1 else row[0],
                                        TOTAL if column == "n" else column])

    return count
