"""Disclosure-controlled statistics: pure functions on pandas DataFrames, no Flask.

The app builds two frames with SQL (columns documented in :mod:`stats.extract`), and the
coded answers of closed surveys (:mod:`stats.surveys`), and calls :func:`build_release`;
everything else here is the machinery behind it:

* :mod:`stats.extract` -- de-identify and generalise the records (one row per person);
  its codes, labels and bands are in :mod:`stats.vocabulary`, its column coding in
  :mod:`stats.coding`.
* :mod:`stats.catalogue` -- the fixed, versioned list of tables (data, not code).
* :mod:`stats.surveys` -- closed surveys' columns of the extract and their tables (data).
* :mod:`stats.tabulate` -- count a table's population into a cube with totals.
* :mod:`stats.disclosure` -- primary, sensitive, denominator and secondary suppression,
  rounding and shares on one cube.
* :mod:`stats.audit` -- the linear-programming interval audit (its LPs in :mod:`stats.lp`).
* :mod:`stats.boxes` -- every cell as the box of people it counts, and the sums and
  nestings between boxes that a reader of the release can prove.
* :mod:`stats.joint` -- secondary suppression and the audit over all tables at once,
  with those relations.
* :mod:`stats.linkage` -- which cells count the same people (the private release's
  measurements).
* :mod:`stats.release` -- all of it for every table together; :mod:`stats.published`
  holds what a release is (tables, rules, metadata).
* :mod:`stats.dp` -- the other method: every cell published with noise from OpenDP
  (differential privacy), nothing hidden.
"""

from stats.audit import DisclosureRiskError
from stats.catalogue import CATALOGUE, CATALOGUE_VERSION, TableSpec
from stats.extract import deidentify
from stats.release import Release, TableRelease, build_release

__all__ = [
    "CATALOGUE", "CATALOGUE_VERSION", "DisclosureRiskError", "Release", "TableRelease",
    "TableSpec", "build_release", "deidentify",
]
