"""What a release holds: its rules, each table's published frames, and the metadata.

Built by :func:`stats.release.build_release`; pickled by the app so that the next release of
a series can be built against it (the classes are also importable from ``stats.release``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

import pandas as pd

from stats.catalogue import TableSpec
from stats.disclosure import HIDDEN, RULES


@dataclass(frozen=True)
class Rules:
    """Hold the disclosure-control parameters of a release."""

    threshold: int = 10
    rounding_base: int = 5
    min_denominator: int = 25
    protection: int = 10
    dominance: float = 0.9
    publish_zeros: bool = False
    min_country_size: int = 50
    min_university_size: int = 100
    min_category_size: int = 50  # see stats.aggregate
    # Keyed random rounding (stats.cellkey); releases stored before it rounded to nearest.
    random_rounding: bool = True
    # A hidden cell's range must reach its protection levels (stats.audit.levels); releases
    # stored before asked only for a range ``protection`` wide, anywhere.
    protection_levels: bool = True

    @property
    def carry(self) -> int:
        """Return how far a count may drift from a figure that a series carries on.

        Rounded to nearest a figure is within ``base // 2`` of its count, randomly within
        ``base - 1``: a series carries it while the count is within ``base - 1`` (nearest)
        or ``base`` (random) of it, so that one arrival or departure never shows.
        """
        return self.rounding_base if self.random_rounding else self.rounding_base - 1

    def __setstate__(self, state: dict) -> None:
        # A release stored before a rule existed reads it at its default, or as it was then.
        for item in fields(self):
            object.__setattr__(self, item.name,
                               state.get(item.name, _BEFORE.get(item.name, item.default)))


#: How releases stored before a rule existed worked, where that differs from its default.
_BEFORE = {"random_rounding": False, "protection_levels": False}


@dataclass
class TableRelease:
    """Hold one published table: values, rounded counts and flags, or why it is withheld."""

    spec: TableSpec
    frame: pd.DataFrame | None
    counts: pd.DataFrame | None
    flags: pd.DataFrame | None
    hidden_by_rule: dict[str, int]  # published: cells hidden, under the one sign
    withheld: str | None = None
    hidden_by_reason: dict[str, int] = field(default_factory=dict)  # internal, never shown
    margin: int | None = None  # differential privacy: each count within this, 95 in 100

    def metadata(self) -> dict[str, Any]:
        """Return the table's description and disclosure counts as JSON-ready data."""
        spec = self.spec
        return {
            "id": spec.id, "title": spec.title, "rows": list(spec.rows),
            "column": spec.column, "measure": spec.measure,
            "population": {k: list(v) for k, v in spec.population},
            "excluding": {k: list(v) for k, v in spec.excluding},
            "sensitive": spec.sensitive, "allowed_dimensions": list(spec.allowed),
            "breakdown_of": spec.breakdown_of,
            "hidden_by_rule": dict(self.hidden_by_rule), "withheld": self.withheld,
            "source": spec.source, "texts": spec.texts.to_dict() if spec.texts else None,
            "margin_95": getattr(self, "margin", None),  # pickled before: none
        }


@dataclass
class Release:
    """Hold every table of one release and the release's metadata."""

    as_of: date
    catalogue_version: str
    rules: Rules
    tables: dict[str, TableRelease]
    previous_as_of: date | None = None
    notes: tuple[str, ...] = field(default=())
    surveys: tuple[dict, ...] = field(default=())  # the closed surveys that contributed
    # Differential privacy (stats.dp): its method and losses; None for suppression.
    privacy: dict | None = None
    # Categories merged (stats.aggregate.members): dimension -> merged label -> members.
    aggregation: dict = field(default_factory=dict)
    # Nationalities and universities named on their own (stats.groups.named_groups): a
    # series keeps them, so no arrival or departure adds or removes a row.
    named: dict = field(default_factory=dict)
    # The series' secret for record keys (stats.cellkey): internal, never published.
    series_key: bytes | None = field(default=None, repr=False)
    # Table id -> the exact counts its hidden cells were decided on (stats.carry.frozen):
    # internal, never published.
    decided: dict = field(default_factory=dict, repr=False)

    @property
    def merged(self) -> dict:
        """Return the categories merged (none in releases stored before merging)."""
        return getattr(self, "aggregation", {}) or {}

    @property
    def method(self) -> str:
        """Return how the release was protected: ``suppression`` or ``differential_privacy``."""
        privacy = getattr(self, "privacy", None)  # releases pickled before: suppression
        return privacy["method"] if privacy else "suppression"

    @property
    def withheld(self) -> tuple[str, ...]:
        """Return the ids of tables withheld by the interval audit."""
        return tuple(t.spec.id for t in self.tables.values() if t.withheld)

    @property
    def hidden_by_rule(self) -> dict[str, int]:
        """Return how many cells each rule hid, over all published tables."""
        signs = dict.fromkeys(s for t in self.tables.values() for s in t.hidden_by_rule)
        return {sign: sum(t.hidden_by_rule.get(sign, 0) for t in self.tables.values())
                for sign in signs}

    @property
    def hidden_by_reason(self) -> dict[str, int]:
        """Return how many cells each rule hid (internal record: never published)."""
        return {rule: sum(getattr(t, "hidden_by_reason", {}).get(rule, 0)
                          for t in self.tables.values()) for rule in RULES}

    def to_dict(self) -> dict[str, Any]:
        """Return the release metadata (no table values) as JSON-ready data."""
        return {
            "as_of": self.as_of.isoformat(),
            "catalogue_version": self.catalogue_version,
            "previous_as_of": self.previous_as_of and self.previous_as_of.isoformat(),
            "method": self.method,
            # A private release states its losses and noise; its other rules are moot.
            "rules": ({k: v for k, v in self.privacy.items() if k != "method"}
                      | {"min_denominator": self.rules.min_denominator}
                      if self.method != "suppression" else asdict(self.rules)),
            "flags": {HIDDEN: "not published"},
            "hidden_by_rule": self.hidden_by_rule,
            "withheld": list(self.withheld),
            "aggregation": self.merged,
            "tables": [t.metadata() for t in self.tables.values()],
            "notes": list(self.notes),
            "surveys": list(getattr(self, "surveys", ())),  # releases pickled before: none
        }
