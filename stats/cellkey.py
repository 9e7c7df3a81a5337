"""Keyed random rounding: the same people get the same rounding, a new series new draws.

The cell-key method of census offices, for rounding.  Every registrant gets a *record key*,
a 32-bit number drawn from their id and the series' secret (never published).  A cell's key
is the sum of its people's keys modulo 2**32: as good as uniform for any non-empty cell, and
a function of exactly who is in it.  A count ``c`` is rounded up to the next multiple of
the base with probability ``(c mod base) / base``, down otherwise, the cell key deciding.
So the rounding is unbiased; every table showing the same people shows the same figure; a
release built again from the same people is the same; and the figure tells only that the
count is within ``base - 1`` of it, never on which side, so a reader cannot tell from one
figure whether a count sits just below or just above a rounding edge -- which is what let
conventional rounding reveal one arrival's cells when two releases were compared.

Each series draws its own secret, so comparing the last release of one series with the
first of the next compares independent draws for every cell, not only for the cells an
arrival or departure touched.
"""

from __future__ import annotations

import hashlib

import numpy as np

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """Return splitmix64's output for each 64-bit state (a bijection that mixes every bit)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return (z ^ (z >> np.uint64(31))) & _MASK64


def record_keys(ids: np.ndarray, secret: bytes) -> np.ndarray:
    """Return each id's record key in [0, 2**32), drawn from the id and ``secret``."""
    seed = int.from_bytes(hashlib.sha256(b"jgrad record keys\0" + secret).digest()[:8], "big")
    states = np.asarray(ids, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        states = _splitmix64(states ^ np.uint64(seed))
        # A second round, so that neighbouring ids give unrelated keys.
        return _splitmix64(states + np.uint64(seed)) >> np.uint64(32)


def key_sums(flat: np.ndarray, keys: np.ndarray, size: int) -> np.ndarray:
    """Return, per cell of ``size`` cells, the sum of the keys of the rows in it, as two
    exact integer halves (low and high 16 bits of the keys), shaped ``(2, size)``.

    ``bincount`` adds in floating point; halves of 16 bits keep every sum exact for up to
    2**37 rows.
    """
    keys = np.asarray(keys, dtype=np.uint64)
    low = np.bincount(flat, weights=(keys & np.uint64(0xFFFF)).astype(np.float64),
                      minlength=size)
    high = np.bincount(flat, weights=(keys >> np.uint64(16)).astype(np.float64),
                       minlength=size)
    return np.stack([low, high]).astype(np.int64)


def cell_keys(halves: np.ndarray) -> np.ndarray:
    """Return the cell keys (sums modulo 2**32) from the halves of :func:`key_sums`."""
    low, high = (np.asarray(h, dtype=np.int64).astype(np.uint64) for h in halves)
    with np.errstate(over="ignore"):
        return (low + (high << np.uint64(16))) & np.uint64(0xFFFFFFFF)


def random_round(counts: np.ndarray, keys: np.ndarray, base: int) -> np.ndarray:
    """Round each count to a multiple of ``base``: up with probability (count mod base) /
    base, decided by its cell key (uniform in [0, 2**32))."""
    counts = np.asarray(counts, dtype=np.int64)
    if base <= 1:
        return counts.copy()
    rest = counts % base
    if base >= 2**30:
        raise ValueError("rounding base too large")
    # key / 2**32 < rest / base, in integers: key * base < rest * 2**32 (both below 2**62).
    up = np.asarray(keys, dtype=np.uint64).astype(np.int64) * base < rest * 2**32
    return counts - rest + np.where(up, base, 0)


def drawn_threshold(secret: bytes | None, name: str, minimum: int) -> int:
    """Return the size from which a category is shown on its own in a series: ``minimum``
    plus a number below ``minimum // 2`` drawn from the series' secret and ``name``.

    A threshold that every series draws afresh (and no reader knows) means that a category
    crossing it between two series cannot be tied to the one person who arrived or left.
    Without a secret (series rounding to nearest) it is ``minimum``.
    """
    spread = minimum // 2
    if not secret or spread < 1:
        return minimum
    return minimum + drawn_below(secret, name, spread)


def drawn_below(secret: bytes, name: str, below: int) -> int:
    """Return a number below ``below`` drawn from the series' secret and ``name``."""
    digest = hashlib.sha256(b"jgrad threshold\0" + secret + b"\0" + name.encode()).digest()
    return int.from_bytes(digest[:8], "big") % below
