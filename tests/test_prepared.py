"""A statement run through the driver's cursor (``jgrad.prepared``) returns the rows the
ORM's own execution returns: the same values, converted the same way (dates, booleans,
NULLs), under the same names."""
import datetime as dt

import sqlalchemy as sa

from jgrad.extensions import db
from jgrad.prepared import Prepared
from jgrad.registrants.models import Enrolment, Registrant


def test_rows_match_the_orms_execution_value_for_value(app, make_university, make_registrant):
    home = make_university(code="HOME")
    first = make_registrant(university=home, family_name_roman="Sato")
    second = make_registrant(university=home, family_name_roman=None)
    first.accept_contact, second.accept_contact = True, False
    first.enrolments[0].status_date = dt.date(2021, 3, 31)
    second.enrolments[0].status_date = None  # a NULL among the converted columns
    db.session.commit()
    statement = (sa.select(Registrant.id, Registrant.family_name_roman,
                           Registrant.accept_contact, Enrolment.id.label("enrolment_id"),
                           Enrolment.status_date, Enrolment.entry_date)
                 .join(Enrolment, Enrolment.registrant_id == Registrant.id)
                 .where(Enrolment.university_id == sa.bindparam("university"))
                 .order_by(Registrant.id))
    values = {"university": home.id}

    connection = db.session.connection()
    expected = connection.execute(statement, values).all()
    rows = Prepared(statement).rows(connection, values)

    assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
    assert len(rows) == 2
    assert rows[0].status_date == dt.date(2021, 3, 31) and rows[1].status_date is None
    assert rows[0].accept_contact is True and rows[1].accept_contact is False
    assert isinstance(rows[1].entry_date, dt.date)
    assert rows[1].family_name_roman is None
    assert rows[0].enrolment_id == first.enrolments[0].id
