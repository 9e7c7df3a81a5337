"""Build the input frames of ``stats`` with set-based SQL: the population the universities
supplied -- registrants whose account is active or not yet activated (pending); suspended
and deleted ones never count."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.db import UTCDateTime
from jgrad.extensions import db
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant
from jgrad.universities.models import University

CHUNK = 200_000


def _read(query) -> pd.DataFrame:
    """Read a query into pandas in chunks, so a million rows never sit twice in memory.

    The rows are taken from the driver's cursor as the driver gives them (SQLite's dates
    as text, PostgreSQL's as dates; callers convert whole columns): turning a million rows
    into Python objects one value at a time cost more than running the query.
    """
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            return _copy(connection, query)
        result = connection.execute(query)
        columns, cursor, chunks = list(result.keys()), result.cursor, []
        while rows := cursor.fetchmany(CHUNK):
            chunks.append(pd.DataFrame.from_records(rows, columns=columns))
        result.close()
    return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=columns)


def _copy(connection, query) -> pd.DataFrame:
    """PostgreSQL: the rows as CSV through ``COPY ... TO STDOUT``, parsed by pandas' C
    reader (a million rows through the cursor cost 7 s of Python objects). Text stays text
    (codes such as field "05" keep their zero), integers and booleans are typed, dates are
    left to the caller as on SQLite. The query holds no value from a user: its constants
    are written into it (COPY takes no parameters)."""
    sql = str(query.compile(dialect=connection.dialect,
                            compile_kwargs={"literal_binds": True}))
    columns = list(query.selected_columns)
    types = {c.name: ("Int64" if isinstance(c.type, sa.Integer) else
                      "boolean" if isinstance(c.type, sa.Boolean) else "str")
             for c in columns}
    buffer = io.BytesIO()
    # Joins of a million rows hash in memory rather than in temporary files.
    connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
        for data in copy:
            buffer.write(data)
    connection.rollback()  # the setting ends with the transaction; nothing was written
    buffer.seek(0)
    frame = pd.read_csv(buffer, dtype=types, true_values=["t"], false_values=["f"],
                        keep_default_na=False, na_values=[""])
    for name, kind in types.items():  # as the driver gives them: int64 without NULLs
        if kind == "Int64" and not frame[name].hasnans:
            frame[name] = frame[name].astype("int64")
    return frame


def _counted(query, registrant_id, as_of: dt.datetime):
    """Keep the rows of counted registrants -- an account active or pending now (a record a
    university supplied counts before its person activates the account) that existed on
    ``as_of`` -- by joining their accounts. On SQLite the accounts are read by their ids
    only: through the index on their role it read a million accounts in random order (7 s
    at a million)."""
    return (query.join(Registrant, Registrant.id == registrant_id)
            .join(Account, Account.id == Registrant.account_id)
            .where(*_registrant_accounts(COUNTED_STATES, as_of))
            .with_hint(Account, "NOT INDEXED", "sqlite"))


def _registrant_accounts(states, as_of: dt.datetime) -> tuple:
    """Conditions on Account: a registrant's, in one of ``states``, existing on ``as_of``."""
    return (Account.role == str(Role.REGISTRANT), Account.state.in_(states),
            Account.created_at <= sa.literal(as_of, UTCDateTime()))


def _latest(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Keep each person's first row in descending ``by`` (missing values last)."""
    order = frame.sort_values(["pid", *by], ascending=[True] + [False] * len(by),
                              na_position="last", kind="stable")
    return order.drop_duplicates("pid").reset_index(drop=True)


def active_registrant_ids(as_of: dt.datetime):
    """Registrants whose account is active now and existed on ``as_of``."""
    return sa.select(Registrant.id).join(Account, Account.id == Registrant.account_id).where(
        *_registrant_accounts((str(AccountState.ACTIVE),), as_of))


#: Account states whose registrants a release counts.
COUNTED_STATES = (str(AccountState.ACTIVE), str(AccountState.PENDING))


def people_frame(as_of: dt.datetime) -> pd.DataFrame:
    """One row per counted registrant with their most recent doctoral enrolment (by entry
    date, then the latest recorded)."""
    query = _counted(sa.select(
        Enrolment.registrant_id.label("pid"), Enrolment.id.label("enrolment_id"),
        Registrant.birth_year, Registrant.sex, Registrant.nationality,
        Enrolment.university_id, Enrolment.field, Enrolment.status, Enrolment.status_date,
        Enrolment.entry_date,
    ).select_from(Enrolment), Enrolment.registrant_id, as_of)
    frame = _read(query)
    # Dates stay datetime64 (NaT when missing): the extract reads their years and months as
    # arrays, and a million Python date objects would only be taken apart again.
    for column in ("status_date", "entry_date"):  # text on SQLite, dates on PostgreSQL
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    frame = _latest(frame, ["entry_date", "enrolment_id"])
    universities = _read(sa.select(University.id, University.name_en.label("university"),
                                   University.kind.label("university_type"))).set_index("id")
    at = frame["university_id"]
    frame.insert(5, "university", at.map(universities["university"]))
    frame.insert(6, "university_type", at.map(universities["university_type"]))
    frame["birth_year"] = frame["birth_year"].astype("Int64")
    return frame.drop(columns=["enrolment_id", "university_id"])


def spells_frame(as_of: dt.datetime) -> pd.DataFrame:
    """At most one row per counted registrant: the career spell current on ``as_of`` (the
    latest begun, then the latest recorded)."""
    month = as_of.date().replace(day=1)
    query = _counted(sa.select(
        CareerSpell.registrant_id.label("pid"), CareerSpell.id.label("spell_id"),
        CareerSpell.start_month, CareerSpell.labour_status, CareerSpell.sector,
        CareerSpell.postdoc, CareerSpell.employment_term, CareerSpell.income_band,
        CareerSpell.country,
    ).select_from(CareerSpell), CareerSpell.registrant_id, as_of).where(
        CareerSpell.start_month <= month,
        sa.or_(CareerSpell.end_month.is_(None), CareerSpell.end_month >= month))
    frame = _read(query)
    frame["start_month"] = pd.to_datetime(frame["start_month"])
    frame = _latest(frame, ["start_month", "spell_id"]).drop(columns=["spell_id",
                                                                      "start_month"])
    frame["postdoc"] = frame["postdoc"].astype("boolean")
    return frame
