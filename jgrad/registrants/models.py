"""Registrants and their doctoral enrolments and career spells, each with provenance."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from jgrad.actors import Actor, Source
from jgrad.db import utcnow
from jgrad.enums import enum_column
from jgrad.extensions import db


class Versioned:
    """A version number that every save raises: a form opened earlier cannot overwrite a
    newer save (the form carries the version it showed), nor can two racing saves."""

    version: Mapped[int] = mapped_column(server_default=sa.text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class Provenance:
    """Who supplied a record and who last changed it, and when."""

    supplied_by: Mapped[Source] = mapped_column(enum_column(Source, 16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[Source] = mapped_column(enum_column(Source, 16))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @declared_attr
    def supplied_by_university_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("universities.id", ondelete="SET NULL"))

    @declared_attr
    def changed_by_university_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("universities.id", ondelete="SET NULL"))

    @declared_attr
    def changed_by_account_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("accounts.id", ondelete="SET NULL"))

    def stamp_supplied(self, actor: Actor) -> None:
        """Record who supplied this record."""
        now = utcnow()
        self.supplied_by = actor.source
        self.supplied_by_university_id = actor.university_id
        self.created_at = now
        self.stamp_changed(actor, now)

    def stamp_changed(self, actor: Actor, when: dt.datetime | None = None) -> None:
        """Record who changed this record last."""
        self.changed_by = actor.source
        self.changed_by_university_id = actor.university_id
        self.changed_by_account_id = actor.account_id
        self.changed_at = when or utcnow()


class Registrant(Versioned, Provenance, db.Model):
    __tablename__ = "registrants"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    doctor_id: Mapped[str] = mapped_column(sa.String(16), unique=True)
    family_name: Mapped[str] = mapped_column(sa.String(100))
    given_name: Mapped[str] = mapped_column(sa.String(100))
    family_name_kana: Mapped[str | None] = mapped_column(sa.String(100))
    given_name_kana: Mapped[str | None] = mapped_column(sa.String(100))
    family_name_roman: Mapped[str | None] = mapped_column(sa.String(100))
    given_name_roman: Mapped[str | None] = mapped_column(sa.String(100))
    birth_year: Mapped[int | None]
    sex: Mapped[str | None] = mapped_column(sa.String(16))
    nationality: Mapped[str | None] = mapped_column(sa.String(2))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    recovery_email: Mapped[str | None] = mapped_column(sa.String(254))
    orcid: Mapped[str | None] = mapped_column(sa.String(19))
    researchmap_id: Mapped[str | None] = mapped_column(sa.String(64))
    share_with_university: Mapped[bool] = mapped_column(default=True)
    accept_contact: Mapped[bool] = mapped_column(default=True)

    account = relationship("Account", back_populates="registrant", foreign_keys=[account_id])

    enrolments = relationship(
        "Enrolment",
        back_populates="registrant",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Enrolment.entry_date",
    )
    career_spells = relationship(
        "CareerSpell",
        back_populates="registrant",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CareerSpell.start_month.desc()",
    )

    @property
    def display_name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    def __repr__(self) -> str:
        return f"<Registrant {self.doctor_id}>"


class Enrolment(Versioned, Provenance, db.Model):
    """One doctoral programme a registrant entered."""

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    registrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="CASCADE"), index=True
    )
    university_id: Mapped[int] = mapped_column(
        sa.ForeignKey("universities.id", ondelete="RESTRICT"), index=True
    )
    graduate_school: Mapped[str] = mapped_column(sa.String(200))
    major: Mapped[str | None] = mapped_column(sa.String(200))
    field: Mapped[str] = mapped_column(sa.String(2))
    student_number: Mapped[str | None] = mapped_column(sa.String(32))
    programme_type: Mapped[str] = mapped_column(sa.String(16))
    entry_date: Mapped[dt.date]
    status: Mapped[str] = mapped_column(sa.String(32))
    status_date: Mapped[dt.date | None]
    degree_name: Mapped[str | None] = mapped_column(sa.String(200))
    # The registrant's roman names as the alumni list sorts them (FAMILY_ROMAN and
    # GIVEN_ROMAN below), written by the database's triggers, never by the application
    # (migration 0015): one university's list walks ix_enrolments_university_name.
    family_roman_key: Mapped[str] = mapped_column(
        sa.String(100), server_default=sa.text("''"), server_onupdate=sa.FetchedValue())
    given_roman_key: Mapped[str] = mapped_column(
        sa.String(100), server_default=sa.text("''"), server_onupdate=sa.FetchedValue())
    # Every name of the registrant as the search matches them (NAMES below), also written
    # by the triggers (migration 0016): one university's search looks up its enrolments
    # alone, through the migration's own index (PostgreSQL's GIN index of the university
    # and these names, ix_enrolments_university_names; SQLite's enrolment_names table).
    names_key: Mapped[str] = mapped_column(
        sa.Text, server_default=sa.text("''"), server_onupdate=sa.FetchedValue())

    registrant = relationship("Registrant", back_populates="enrolments")
    university = relationship("University", foreign_keys=[university_id])

    __table_args__ = (
        sa.UniqueConstraint("university_id", "student_number"),
        # The access layer asks "is this registrant enrolled at that university?" per row.
        sa.Index("ix_enrolments_registrant_university", "registrant_id", "university_id"),
        # The alumni list filters one university's enrolments by completion year.
        sa.Index("ix_enrolments_university_status_date", "university_id", "status_date"),
        sa.Index("ix_enrolments_university_name", "university_id", "family_roman_key",
                 "given_roman_key", "registrant_id", "id"),
    )


class CareerSpell(Versioned, Provenance, db.Model):
    """A period in one position or labour-force status; an open end means current."""

    __tablename__ = "career_spells"

    id: Mapped[int] = mapped_column(primary_key=True)
    registrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="CASCADE"), index=True
    )
    start_month: Mapped[dt.date]
    end_month: Mapped[dt.date | None]
    labour_status: Mapped[str] = mapped_column(sa.String(32))
    employer: Mapped[str | None] = mapped_column(sa.String(200))
    sector: Mapped[str | None] = mapped_column(sa.String(32))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    prefecture: Mapped[str | None] = mapped_column(sa.String(2))
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    academic_rank: Mapped[str | None] = mapped_column(sa.String(32))
    postdoc: Mapped[bool] = mapped_column(default=False)
    employment_term: Mapped[str | None] = mapped_column(sa.String(16))
    contract_months: Mapped[int | None]
    working_hours: Mapped[str | None] = mapped_column(sa.String(16))
    income_band: Mapped[str | None] = mapped_column(sa.String(16))
    relatedness: Mapped[str | None] = mapped_column(sa.String(16))

    registrant = relationship("Registrant", back_populates="career_spells")

    @property
    def is_current(self) -> bool:
        return self.end_month is None


# The alumni list's orders and name search (jgrad.portal.keyset, jgrad.portal.queries) and the
# indexes that serve them, built on the very same expressions (migration 0012): an index
# walk yields each order on SQLite and PostgreSQL, so a page never sorts a whole university.
# NULL sorts first on one database and last on the other; '' and a date before any real one
# sort the same on both.
def _blank(column, empty: str = ""):
    return sa.func.coalesce(column, sa.literal_column(f"'{empty}'", column.type))


FAMILY_ROMAN = _blank(Registrant.family_name_roman)
GIVEN_ROMAN = _blank(Registrant.given_name_roman)
NO_DATE = dt.date(1, 1, 1)
COMPLETED = _blank(Enrolment.status_date, NO_DATE.isoformat())


def _spaced(*columns):
    joined = None
    for column in columns:
        joined = _blank(column) if joined is None else \
            joined.op("||")(sa.literal_column("' '")).op("||")(_blank(column))
    return sa.func.lower(joined, type_=sa.String)


# Every name of a registrant in one lower-cased string, names separated by a space, so that
# no search word (which has none) matches across two names.
NAMES = _spaced(Registrant.family_name, Registrant.given_name, Registrant.family_name_kana,
                Registrant.given_name_kana, Registrant.family_name_roman,
                Registrant.given_name_roman)

sa.Index("ix_registrants_roman_name", FAMILY_ROMAN, GIVEN_ROMAN, Registrant.id)
sa.Index("ix_enrolments_university_entry", Enrolment.university_id, Enrolment.entry_date,
         Enrolment.registrant_id, Enrolment.id)
sa.Index("ix_enrolments_university_completed", Enrolment.university_id, COMPLETED,
         Enrolment.registrant_id, Enrolment.id)
# PostgreSQL only: any part of a name without reading every registrant (pg_trgm operators,
# given in migration 0012).
sa.Index("ix_registrants_names_trgm", NAMES, _table=Registrant.__table__,
         postgresql_using="gin").ddl_if(dialect="postgresql")
