"""The fixed, versioned catalogue of statistical tables: data, not code.

A table counts the registrants of a declared population (``population`` keeps only rows
whose column takes one of the listed values; ``excluding`` drops listed values) by one or
two row dimensions and one column dimension, all columns of the extract
(:mod:`stats.extract`).  With two row dimensions the first one is a *layer*: the table is a
stack of 2-D tables plus their sum (see :mod:`stats.disclosure`).  An analyst may only pick a
catalogue table, or one of its breakdowns (its column by one dimension in ``allowed``,
see :meth:`TableSpec.breakdowns`); there are no free-form filters.  Changing anything here changes what is published: bump ``CATALOGUE_VERSION``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from stats.extract import COMPLETED, EXTRACT_COLUMNS, NOT_COMPLETED

CATALOGUE_VERSION = "2026-1"

#: Extract columns added by closed surveys (:mod:`stats.surveys`) start with this.
SURVEY_PREFIX = "survey:"

Measure = Literal["count", "row_share"]
Filter = tuple[tuple[str, tuple[str, ...]], ...]

#: Years since completion is nearly a function of the completion cohort: never crossed.
EXCLUSIVE = frozenset({"cohort_band", "years_since_band"})

#: Dimensions an analyst may cross; integer columns are not tabulated directly.
DIMENSIONS = tuple(c for c in EXTRACT_COLUMNS
                   if c not in ("completion_fy", "years_since_completion"))


@dataclass(frozen=True)
class Texts:
    """Names (English, Japanese) a table brings with it when it is not in the catalogue."""

    title: tuple[str, str]
    note: tuple[str, str] = ("", "")
    dimensions: tuple[tuple[str, str, str], ...] = ()  # (dimension, en, ja)
    values: tuple[tuple[str, str, str, str], ...] = ()  # (dimension, value, en, ja)

    def to_dict(self) -> dict:
        """Return the names as JSON-ready data, by language."""
        pair = ("en", "ja")
        values: dict[str, dict] = {}
        for dim, value, *names in self.values:
            values.setdefault(dim, {})[value] = dict(zip(pair, names))
        return {"title": dict(zip(pair, self.title)), "note": dict(zip(pair, self.note)),
                "dimensions": {dim: dict(zip(pair, names)) for dim, *names in self.dimensions},
                "values": values}


@dataclass(frozen=True)
class TableSpec:
    """Describe one published table: population, dimensions, measure and swappable dims."""

    id: str
    title: str
    rows: tuple[str, ...]
    column: str
    measure: Measure = "count"
    population: Filter = ()
    excluding: Filter = ()
    sensitive: bool = False
    allowed: tuple[str, ...] = ()
    breakdown_of: str | None = None
    source: str | None = None  # None: the fixed catalogue; "survey:<slug>:v<n>" otherwise
    texts: Texts | None = None
    # Not published: its cells are unknowns of the audit, tying other tables together.
    audit_only: bool = False

    def __post_init__(self) -> None:
        dims = (*self.rows, self.column)
        if not 1 <= len(self.rows) <= 2:
            raise ValueError(f"table {self.id}: one or two row dimensions, got {self.rows}")
        unknown = [d for d in (*dims, *dict(self.population), *dict(self.excluding))
                   if d not in EXTRACT_COLUMNS and not d.startswith(SURVEY_PREFIX)]
        if unknown:
            raise ValueError(f"table {self.id}: unknown dimension(s) {unknown}")
        if len(set(dims)) != len(dims):
            raise ValueError(f"table {self.id}: a dimension is used twice in {dims}")
        if EXCLUSIVE <= set(dims):
            raise ValueError(f"table {self.id}: {sorted(EXCLUSIVE)} are never crossed")

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Return the axes in order: (layer,) row, column."""
        return (*self.rows, self.column)

    def with_dimensions(self, rows: tuple[str, ...] | None = None,
                        column: str | None = None) -> TableSpec:
        """Return this table with dimensions swapped, refusing any not in ``allowed``."""
        rows = self.rows if rows is None else tuple(rows)
        column = self.column if column is None else column
        refused = [d for d in (*rows, column)
                   if d not in (*self.allowed, *self.dimensions)]
        if refused:
            raise ValueError(f"table {self.id} does not allow dimension(s) {refused}")
        if rows == self.rows and column == self.column:
            return self
        base = self.breakdown_of or self.id
        table_id = ".".join((base, *rows)) + ("" if column == self.column else f"~{column}")
        title = self.title.split(" (breakdown by ")[0]
        title = f"{title} (breakdown by {' and '.join((*rows, column))})"
        return replace(self, id=table_id, title=title, rows=rows, column=column,
                       breakdown_of=base)

    def breakdowns(self) -> tuple[TableSpec, ...]:
        """Return the table's measure by each allowed dimension it does not already use.

        These are the breakdowns an analyst may choose: one dimension by the table's
        column, over the table's population.  A release computes them all and protects
        them together with every other table, so no breakdown can be played against
        another.  They are two-way on purpose: three-way swaps multiply the hidden cells
        that the joint audit must solve together beyond what a release can afford.
        """
        return tuple(self.with_dimensions(rows=(dim,)) for dim in self.allowed
                     if dim not in self.dimensions and not EXCLUSIVE <= {dim, self.column})


_PERSON_DIMS = ("field", "sex", "age_band", "university_type", "university_group",
                "nationality_group")
_GRADUATES: Filter = (("status", ("degree_awarded",)),)
_WORKING: Filter = (("status", ("degree_awarded",)),
                    ("labour_status", ("employed", "self_employed")))
_EMPLOYEES: Filter = (("status", ("degree_awarded",)), ("labour_status", ("employed",)))
_COMPLETED_ONLY: Filter = (("cohort_band", (NOT_COMPLETED,)),
                           ("years_since_band", (NOT_COMPLETED,)))

CATALOGUE: tuple[TableSpec, ...] = (
    TableSpec(
        id="registrants_by_status_field",
        title="Registrants by doctoral status and field",
        rows=("field",), column="status",
        allowed=(*_PERSON_DIMS, "status"),
    ),
    TableSpec(
        id="completers_by_status_field_cohort",
        title="Programme completers by status, field and completion cohort",
        rows=("status", "field"), column="cohort_band",
        population=(("status", COMPLETED),), excluding=_COMPLETED_ONLY,
        allowed=(*_PERSON_DIMS, "years_since_band"),
    ),
    TableSpec(
        id="sector_by_field_years_since",
        title="Doctorate holders in work by employment sector, field and years since degree",
        rows=("years_since_band", "field"), column="sector",
        population=_WORKING, excluding=_COMPLETED_ONLY, sensitive=True,
        allowed=(*_PERSON_DIMS, "cohort_band"),
    ),
    TableSpec(
        id="postdoc_share_by_field_cohort",
        title="Share of employed doctorate holders in postdoctoral positions, by field and "
              "cohort",
        rows=("cohort_band", "field"), column="postdoc", measure="row_share",
        population=_EMPLOYEES, excluding=_COMPLETED_ONLY,
        allowed=(*_PERSON_DIMS, "years_since_band", "sector"),
    ),
    TableSpec(
        id="employment_term_by_sector_cohort",
        title="Permanent and fixed-term employment of doctorate holders, by sector and cohort",
        rows=("cohort_band", "sector"), column="employment_term", measure="row_share",
        population=_EMPLOYEES, excluding=_COMPLETED_ONLY,
        allowed=(*_PERSON_DIMS, "years_since_band"),
    ),
    TableSpec(
        id="sector_by_sex_field",
        title="Doctorate holders in work by sex, field and employment sector",
        rows=("sex", "field"), column="sector",
        population=_WORKING, sensitive=True,
        allowed=(*_PERSON_DIMS, "cohort_band", "years_since_band"),
    ),
    TableSpec(
        id="working_abroad_by_field",
        title="Doctorate holders in work, working abroad or in Japan, by field",
        rows=("field",), column="working_abroad",
        population=_WORKING,
        allowed=(*_PERSON_DIMS, "cohort_band", "years_since_band", "sector"),
    ),
    TableSpec(
        id="income_by_field",
        title="Doctorate holders in work by annual income band and field",
        rows=("field",), column="income_band",
        population=_WORKING, sensitive=True,
        allowed=("field", "sex", "cohort_band", "years_since_band", "sector"),
    ),
)


def with_breakdowns(tables: tuple[TableSpec, ...] = CATALOGUE) -> tuple[TableSpec, ...]:
    """Return every table followed by its breakdowns: everything one release publishes."""
    return tuple(t for spec in tables for t in (spec, *spec.breakdowns()))


def table(table_id: str) -> TableSpec:
    """Return the catalogue table with ``table_id`` or raise KeyError naming it."""
    for spec in CATALOGUE:
        if spec.id == table_id:
            return spec
    raise KeyError(f"no table {table_id!r} in catalogue version {CATALOGUE_VERSION}")
