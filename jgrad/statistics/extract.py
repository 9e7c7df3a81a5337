"""Build the input frames of ``stats`` with set-based SQL: the population the universities
supplied -- registrants whose account is active or not yet activated (pending); suspended
and deleted ones never count."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.db import UTCDateTime
from jgrad.extensions import db
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant
from jgrad.universities.models import University

CHUNK = 200_000


def _read(query) -> pd.DataFrame:
    """Read a query into pandas in chunks, so a million rows never sit twice in memory."""
    with db.engine.connect() as connection:
        chunks = list(pd.read_sql(query, connection, chunksize=CHUNK))
    return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()


def active_registrant_ids(as_of: dt.datetime):
    """Registrants whose account is active now and existed on ``as_of``."""
    return sa.select(Registrant.id).join(Account, Account.id == Registrant.account_id).where(
        Account.role == str(Role.REGISTRANT),
        Account.state == str(AccountState.ACTIVE),
        Account.created_at <= sa.literal(as_of, UTCDateTime()),
    )


#: Account states whose registrants a release counts.
COUNTED_STATES = (str(AccountState.ACTIVE), str(AccountState.PENDING))


def counted_registrant_ids(as_of: dt.datetime):
    """Registrants whose account is active or pending now and existed on ``as_of``: a
    record a university supplied counts before its person activates the account."""
    return sa.select(Registrant.id).join(Account, Account.id == Registrant.account_id).where(
        Account.role == str(Role.REGISTRANT),
        Account.state.in_(COUNTED_STATES),
        Account.created_at <= sa.literal(as_of, UTCDateTime()),
    )


def people_frame(as_of: dt.datetime) -> pd.DataFrame:
    """One row per counted registrant with their most recent doctoral enrolment."""
    latest = sa.func.row_number().over(
        partition_by=Enrolment.registrant_id,
        order_by=(Enrolment.entry_date.desc(), Enrolment.id.desc()),
    ).label("position")
    enrolments = (
        sa.select(Enrolment.registrant_id, Enrolment.university_id, Enrolment.field,
                  Enrolment.status, Enrolment.status_date, Enrolment.entry_date, latest)
        .where(Enrolment.registrant_id.in_(counted_registrant_ids(as_of)))
        .subquery()
    )
    query = (
        sa.select(
            Registrant.id.label("pid"), Registrant.birth_year, Registrant.sex,
            Registrant.nationality, University.name_en.label("university"),
            University.kind.label("university_type"), enrolments.c.field,
            enrolments.c.status, enrolments.c.status_date, enrolments.c.entry_date,
        )
        .join(enrolments, enrolments.c.registrant_id == Registrant.id)
        .join(University, University.id == enrolments.c.university_id)
        .where(enrolments.c.position == 1)
    )
    frame = _read(query)
    # Dates stay datetime64 (NaT when missing): the extract reads their years and months as
    # arrays, and a million Python date objects would only be taken apart again.
    for column in ("status_date", "entry_date"):
        frame[column] = pd.to_datetime(frame[column])
    frame["birth_year"] = frame["birth_year"].astype("Int64")
    return frame


def spells_frame(as_of: dt.datetime) -> pd.DataFrame:
    """At most one row per counted registrant: the career spell current on ``as_of``."""
    month = as_of.date().replace(day=1)
    latest = sa.func.row_number().over(
        partition_by=CareerSpell.registrant_id,
        order_by=(CareerSpell.start_month.desc(), CareerSpell.id.desc()),
    ).label("position")
    current = (
        sa.select(CareerSpell.registrant_id.label("pid"), CareerSpell.labour_status,
                  CareerSpell.sector, CareerSpell.postdoc, CareerSpell.employment_term,
                  CareerSpell.income_band, CareerSpell.country, latest)
        .where(
            CareerSpell.registrant_id.in_(counted_registrant_ids(as_of)),
            CareerSpell.start_month <= month,
            sa.or_(CareerSpell.end_month.is_(None), CareerSpell.end_month >= month),
        )
        .subquery()
    )
    columns = [c for c in current.c if c.name != "position"]
    frame = _read(sa.select(*columns).where(current.c.position == 1))
    if "postdoc" in frame:
        frame["postdoc"] = frame["postdoc"].astype("boolean")
    return frame
