"""The alumni list: filters, sorting and pagination, all in SQL."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from jgrad.accounts.models import Account, Role
from jgrad.extensions import db
from jgrad.portal import access, keyset, search
from jgrad.prepared import Prepared
from jgrad.registrants import codes
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant

PAGE_SIZE = 50
# Counting every match of a large university would cost as much as the search itself: the
# list counts on request, up to this many, and says "more than" beyond it.
COUNT_CAP = 1_000
SORT_CHOICES = ("name", "entry", "completion", "doctor_id")
CURSOR_SALT = "jgrad-portal-alumni-cursor"


@dataclass(frozen=True)
class AlumniFilter:
    """What staff filter the alumni list by; every field optional.

    ``name`` finds a person by Doctor ID, student number, or any part of their name in
    kanji, kana or roman letters. ``university_id`` narrows an administrator's list (staff
    see their own university only, whatever it says).
    """

    status: str | None = None
    entry_year: int | None = None
    completion_year: int | None = None
    field: str | None = None
    sector: str | None = None
    name: str | None = None
    sort: str = "name"
    university_id: int | None = None

    @classmethod
    def from_args(cls, args) -> "AlumniFilter":
        return cls.parse(args)[0]

    @classmethod
    def parse(cls, args) -> "tuple[AlumniFilter, list[str]]":
        """Read the filters from a query string; name each value that cannot be used."""
        problems: list[str] = []

        def year(name, words):
            # ASCII digits only: str.isdigit() also takes "²⁰²⁰", which int() refuses.
            value = (args.get(name) or "").strip()
            if not value:
                return None
            if value.isascii() and value.isdigit() and len(value) == 4 \
                    and 1900 < int(value) < 2200:
                return int(value)
            problems.append(str(_l("%(field)s: give a year such as 2021.", field=words)))
            return None

        def code(name, allowed, words):
            value = args.get(name) or None
            if value is None or value in allowed:
                return value
            problems.append(str(_l("%(field)s: choose one from the list.", field=words)))
            return None

        sort = args.get("sort") or "name"
        if sort not in SORT_CHOICES:
            problems.append(str(_l("%(field)s: choose one from the list.", field=_l("Sort"))))
            sort = "name"
        university = (args.get("university") or "").strip()
        university_id = int(university) if university.isascii() and university.isdigit() \
            and len(university) < 10 else None
        if university and university_id is None:
            problems.append(str(_l("%(field)s: choose one from the list.",
                                   field=_l("University"))))
        return cls(
            status=code("status", codes.ENROLMENT_STATUS, _l("Status")),
            entry_year=year("entry_year", _l("Entry year")),
            completion_year=year("completion_year", _l("Completion year")),
            field=code("field", codes.FIELD, _l("Field of study")),
            sector=code("sector", codes.SECTOR, _l("Sector of current job")),
            name=(args.get("name") or "").strip()[:100] or None,
            sort=sort, university_id=university_id,
        ), problems

    def as_dict(self) -> dict:
        values = {k: v for k, v in self.__dict__.items() if v not in (None, "")}
        if "university_id" in values:
            values["university"] = values.pop("university_id")
        return values


def alumni_query(account, filters: AlumniFilter, *columns):
    """Select (registrant, enrolment) rows the account may see, filtered (unsorted)."""
    return _filtered(access.alumni(account, *columns), account, filters).params(
        _values(filters))


def _filtered(query, account, filters: AlumniFilter):
    """Add the filters that are set, each value a bound parameter (:func:`_values`); a name
    search's words are written into the statement."""
    if filters.status:
        query = query.where(Enrolment.status == sa.bindparam("status"))
    if filters.field:
        query = query.where(Enrolment.field == sa.bindparam("field"))
    if filters.entry_year:
        query = query.where(Enrolment.entry_date >= sa.bindparam("entry_from", type_=sa.Date),
                            Enrolment.entry_date < sa.bindparam("entry_to", type_=sa.Date))
    if filters.completion_year:
        query = query.where(
            Enrolment.status.in_(["degree_awarded", "completed_without_degree"]),
            Enrolment.status_date >= sa.bindparam("completion_from", type_=sa.Date),
            Enrolment.status_date < sa.bindparam("completion_to", type_=sa.Date))
    if filters.sector:
        query = query.where(sa.select(CareerSpell.id).where(
            CareerSpell.registrant_id == Registrant.id, CareerSpell.end_month.is_(None),
            CareerSpell.sector == sa.bindparam("sector")).exists())
    if filters.university_id is not None:
        query = query.where(Enrolment.university_id == sa.bindparam("university"))
    if filters.name:
        query = query.where(search.finds(filters.name))
        university = account.university_id if account.role == Role.STAFF \
            else filters.university_id
        narrowed = search.candidates(filters.name, university)
        if narrowed is not None:
            query = query.where(narrowed)
    return query


def _values(filters: AlumniFilter) -> dict:
    """The bound parameters of :func:`_filtered` for these filters."""
    values = {"status": filters.status, "field": filters.field, "sector": filters.sector,
              "university": filters.university_id}
    for name, year in (("entry", filters.entry_year), ("completion", filters.completion_year)):
        if year:
            values[f"{name}_from"] = dt.date(year, 1, 1)
            values[f"{name}_to"] = dt.date(year + 1, 1, 1)
    return {name: value for name, value in values.items() if value is not None}


LIST_COLUMNS = (
    Registrant.id, Registrant.doctor_id, Registrant.family_name, Registrant.given_name,
    Registrant.family_name_roman, Registrant.given_name_roman, Registrant.accept_contact,
    Enrolment.id.label("enrolment_id"), Enrolment.university_id, Enrolment.graduate_school,
    Enrolment.field, Enrolment.status, Enrolment.status_date, Enrolment.entry_date,
)


def alumni_page(account, filters: AlumniFilter, cursor: str | None, secret: str,
                counted: bool = False):
    """Return one page (``keyset.Page``) after or before ``cursor``, and how many rows match:
    exact when the page is the whole list, counted up to ``COUNT_CAP`` + 1 when ``counted``
    (a second pass over the matches, so only on request), else None.

    Raises ``keyset.BadCursor`` for a cursor this site did not give out.
    """
    where = keyset.position(filters.sort, cursor, secret, CURSOR_SALT)
    after = None if where is None else where.after
    kind = access.viewer(account)
    within = _within(kind, filters)
    walk = _walk(filters, within)
    if filters.name:  # a search's words are part of its statement: built for each one
        statement = _page_statement(_filtered(access.alumni(
            account, *LIST_COLUMNS, *keyset.key_columns(filters.sort, within)), account,
            filters), filters.sort, after, walk, PAGE_SIZE, within)
    else:  # the same few statements for everyone: built once, values bound when run
        statement = _cached_page_statement(kind, shape_of(filters), after, walk, PAGE_SIZE)
    values = {**_values(filters), "viewer_university": account.university_id}
    found = keyset.run(statement, filters.sort, where, PAGE_SIZE, secret, CURSOR_SALT, values)
    if found.next_cursor is None and found.previous_cursor is None and where is None:
        return found, len(found.rows)
    return found, count(account, filters) if counted else None


def shape_of(filters: AlumniFilter) -> AlumniFilter:
    """The filters that are set and the sort, each set value standing in as 1."""
    return AlumniFilter(**{name: value if name == "sort" else None if value is None else 1
                           for name, value in filters.__dict__.items()})


@lru_cache(maxsize=512)
def _cached_page_statement(kind: str, shape: AlumniFilter, after: bool | None,
                           walk: str | None, size: int):
    """The page's statement for a viewer kind and the filters set (``shape``: their values
    stand in as 1; the real ones are bound when it runs). Building it cost more than running
    it; shapes are few (which of six filters are set, four sorts, three directions)."""
    within = _within(kind, shape)
    query = access.alumni_as(kind, sa.bindparam("viewer_university"), *LIST_COLUMNS,
                             *keyset.key_columns(shape.sort, within))
    return Prepared(_page_statement(_filtered(query, None, shape), shape.sort, after, walk,
                                    size, within))


def _page_statement(query, sort: str, after: bool | None, walk: tuple | None, size: int,
                    within: bool = False):
    if walk:
        # SQLite's planner sorts every alumnus of the university to show fifty; walking the
        # sort's index until fifty match is what a hand-written query does. A narrowing
        # filter leaves few rows to sort, and the planner its own choice.
        table, index = walk
        query = query.with_hint(table, f"INDEXED BY {index}", "sqlite")
    return keyset.ordered(query, sort, after, size, within)


def _within(kind: str, filters: AlumniFilter) -> bool:
    """Whether the list is of one university's enrolments (a staff member's, or the one an
    administrator chose): its name order then walks that university's own index."""
    return kind == "staff" or (kind == "admin" and filters.university_id is not None)


def _walk(filters: AlumniFilter, within: bool = False) -> tuple | None:
    """The table and index a list in this order should walk on SQLite, if any."""
    if db.engine.dialect.name != "sqlite" or filters.name or filters.field \
            or filters.entry_year or filters.completion_year or filters.sector:
        return None
    if filters.sort == "name":
        return (Enrolment, "ix_enrolments_university_name") if within \
            else (Registrant, "ix_registrants_roman_name")
    if filters.sort == "doctor_id":
        index = _sqlite_index("registrants", ["doctor_id"])
        return (Registrant, index) if index else None
    return None


_INDEXES: dict = {}


def _sqlite_index(table: str, columns: list[str]) -> str | None:
    """The name SQLite gave the index of a unique constraint ("sqlite_autoindex_..._N")."""
    key = (str(db.engine.url), table, tuple(columns))
    if key not in _INDEXES:
        _INDEXES[key] = next((
            name for name in db.session.scalars(
                sa.select(sa.column("name")).select_from(sa.func.pragma_index_list(table)))
            if list(db.session.scalars(sa.select(sa.column("name")).select_from(
                sa.func.pragma_index_info(name)))) == columns), None)
    return _INDEXES[key]


def count(account, filters: AlumniFilter, cap: int = COUNT_CAP) -> int:
    """Count the matching rows, stopping at ``cap`` + 1."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(
            alumni_query(account, filters, Enrolment.id).limit(cap + 1).subquery()))


def contactable(account, filters: AlumniFilter):
    """Select registrant id, account id and address of matching alumni who accept contact."""
    address = sa.func.coalesce(Registrant.contact_email, Account.email)
    return (
        alumni_query(account, filters, Registrant.id, Account.id.label("account_id"),
                     address.label("address"), Account.locale)
        .join(Account, Account.id == Registrant.account_id)
        .where(Registrant.accept_contact.is_(True), address.is_not(None),
               Account.email_status != "invalid")
        .distinct()
    )
