"""Which nationalities and universities an extract names on their own, and the rest's groups.

A nationality is named from ``min_country_size`` registrants, a university from
``min_university_size``; the rest are ``Other``, ``Unknown`` or ``Other <type>
universities``.  A release series keeps the names of its first release (``named``); a new
series may draw each value's line (:func:`stats.cellkey.drawn_threshold`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from stats.coding import UNKNOWN, from_codes, labelled, mapped, text


def nationality_groups(coded: tuple[np.ndarray, list], minimum,
                       named: Iterable[str] | None = None) -> pd.Categorical:
    """``JP``, each country with at least ``minimum`` registrants (or exactly those ``named``),
    ``Other``, and ``Unknown`` where no nationality was given; counted on upper-cased codes.

    (Until 2026-11 a missing nationality was counted with ``JP``, which overstated Japan.)
    """
    codes, uniques = coded
    upper = [text(u).upper() for u in uniques]
    groups, kinds = pd.factorize(pd.Series(upper, dtype=object))
    sizes = np.bincount(groups[codes[codes >= 0]], minlength=len(kinds))
    chosen = set(named) if named is not None else \
        {k for k, size in zip(kinds, sizes) if size >= _least(minimum, "nationality_group", k)}
    frequent = sorted(chosen - {"JP", "Other", UNKNOWN})
    labels = ["JP", *frequent, "Other", UNKNOWN]
    position = {label: i for i, label in enumerate(labels)}
    targets = (position[u] if u in position and u != UNKNOWN else position["Other"]
               for u in upper)
    return from_codes(mapped(codes, targets, position[UNKNOWN]), labels)


def university_groups(names: tuple[np.ndarray, list], kinds: tuple[np.ndarray, list],
                      minimum, named: Iterable[str] | None = None) -> pd.Categorical:
    """A university with at least ``minimum`` registrants (or one of those ``named``) by name,
    else the others of its type (``Other <type> universities``; ``Other universities`` when
    the type is NA)."""
    name_codes, name_values = names[0], [text(u) for u in names[1]]
    sizes = np.bincount(name_codes[name_codes >= 0], minlength=len(name_values))
    kind_codes, kind_values = kinds
    others = [f"Other {text(k).strip().lower()} universities" for k in kind_values]
    others.append("Other universities")  # kind code -1 (NA) picks this last entry
    frequent = np.array([size >= _least(minimum, "university_group", name)
                         for size, name in zip(sizes, name_values)], dtype=bool) \
        if named is None else np.isin(np.array(name_values, dtype=object), list(named))
    row_named = np.append(frequent, False)[name_codes]  # a missing name takes its fallback
    # Named for the series: a row each, whoever is left in it.
    used = ({name for name, keep in zip(name_values, frequent) if keep} | set(named or ())
            | {others[k] for k in np.unique(kind_codes[~row_named])})
    present = set(others[:-1]) | ({others[-1]} if (kind_codes < 0).any() else set())
    labels = labelled([*sorted((set(name_values) | set(named or ())) & used),
                       *sorted(present & used)])
    position = {label: i for i, label in enumerate(labels)}
    by_name = np.array([position[n] if keep else -1 for n, keep in zip(name_values, frequent)]
                       + [-1], dtype=np.int64)
    by_kind = np.array([position.get(o, -1) for o in others], dtype=np.int64)
    return from_codes(np.where(row_named, by_name[name_codes], by_kind[kind_codes]), labels,
                      unknown=False)


def _least(minimum, dim: str, value: str) -> int:
    """Return the size from which ``value`` is named: ``minimum``, or ``minimum(dim, value)``
    when a release draws each category's threshold (:func:`stats.cellkey.drawn_threshold`)."""
    return minimum(dim, value) if callable(minimum) else minimum


def named_groups(extract: pd.DataFrame) -> dict[str, list[str]]:
    """Return the nationalities and universities an extract names on their own (the rest
    are ``Other``, ``Unknown`` or ``Other <type> universities``), for :func:`deidentify`."""
    nationalities = [c for c in extract["nationality_group"].cat.categories
                     if c not in ("JP", "Other", UNKNOWN)]
    universities = [c for c in extract["university_group"].cat.categories
                    if not (c.startswith("Other ") and c.endswith("universities"))
                    and c != UNKNOWN]
    return {"nationality_group": nationalities, "university_group": universities}
