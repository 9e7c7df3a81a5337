"""The staff download of the alumni list: labels in the reader's language, not codes, with
each person's current job beside their doctoral enrolment.

One query, streamed: the current career spell (open-ended, latest start) is picked by a
window function, not per person.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from jgrad.portal.queries import AlumniFilter, alumni_query
from jgrad.registrants import codes
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant
from jgrad.universities.models import University


def _current_spells(people):
    """Each of ``people``'s current spell (only theirs are ranked, not everyone's)."""
    ranked = sa.select(
        CareerSpell.registrant_id, CareerSpell.labour_status, CareerSpell.employer,
        CareerSpell.sector, CareerSpell.job_title, CareerSpell.country,
        CareerSpell.employment_term, CareerSpell.start_month,
        sa.func.row_number().over(
            partition_by=CareerSpell.registrant_id,
            order_by=(CareerSpell.start_month.desc(), CareerSpell.id.desc())).label("rank"),
    ).where(CareerSpell.end_month.is_(None), CareerSpell.registrant_id.in_(people)).subquery()
    return sa.select(ranked).where(ranked.c.rank == 1).subquery("current_job")


@dataclass(frozen=True)
class Column:
    header: object
    expression: object
    show: Callable = lambda value: value


def _columns(current, university, locale: str) -> list[Column]:
    countries = codes.country_names(locale)

    def coded(mapping):
        return lambda value: codes.label(mapping, value)

    def month(value):
        return value.strftime("%Y-%m") if value else None

    return [
        Column(_l("Doctor ID"), Registrant.doctor_id),
        Column(_l("Family name"), Registrant.family_name),
        Column(_l("Given name"), Registrant.given_name),
        Column(_l("Family name (roman letters)"), Registrant.family_name_roman),
        Column(_l("Given name (roman letters)"), Registrant.given_name_roman),
        Column(_l("University"), university.name_ja if locale == "ja" else university.name_en),
        Column(_l("Graduate school"), Enrolment.graduate_school),
        Column(_l("Field of study"), Enrolment.field, coded(codes.FIELD)),
        Column(_l("Programme type"), Enrolment.programme_type, coded(codes.PROGRAMME_TYPE)),
        Column(_l("Student number"), Enrolment.student_number),
        Column(_l("Date of entry"), Enrolment.entry_date),
        Column(_l("Status"), Enrolment.status, coded(codes.ENROLMENT_STATUS)),
        Column(_l("Date of the status"), Enrolment.status_date),
        Column(_l("Accepts contact"), Registrant.accept_contact,
               lambda value: str(_l("Yes") if value else _l("No"))),
        Column(_l("Current work: status"), current.c.labour_status, coded(codes.LABOUR_STATUS)),
        Column(_l("Current work: employer"), current.c.employer),
        Column(_l("Current work: sector"), current.c.sector, coded(codes.SECTOR)),
        Column(_l("Current work: job title"), current.c.job_title),
        Column(_l("Current work: country"), current.c.country,
               lambda value: countries.get(value, value or "")),
        Column(_l("Current work: employment term"), current.c.employment_term,
               coded(codes.EMPLOYMENT_TERM)),
        Column(_l("Current work: since"), current.c.start_month, month),
    ]


def alumni_table(account, filters: AlumniFilter):
    """Return (header, rows) of the download; rows are generated as they stream."""
    from jgrad.extensions import db

    locale = "ja" if str(get_locale()) == "ja" else "en"
    current = _current_spells(alumni_query(account, filters, Registrant.id))
    university = sa.orm.aliased(University)
    columns = _columns(current, university, locale)
    query = (alumni_query(account, filters, *(c.expression for c in columns))
             .join(university, university.id == Enrolment.university_id)
             .outerjoin(current, current.c.registrant_id == Registrant.id)
             .order_by(Registrant.id, Enrolment.id))
    header = [str(c.header) for c in columns]

    def rows():
        shows = [c.show for c in columns]
        for row in db.session.execute(query.execution_options(yield_per=1000)):
            yield [show(value) for show, value in zip(shows, row)]

    return header, rows()
