"""The frames read for a release hold dates as datetime64, which the extract reads whole."""
import datetime as dt

import pandas as pd

from jgrad.db import utcnow
from jgrad.statistics.extract import people_frame, spells_frame
from stats.extract import deidentify


def test_people_frame_dates_are_datetime64_and_give_the_completion_year(make_registrant):
    make_registrant()
    people = people_frame(utcnow())
    assert pd.api.types.is_datetime64_any_dtype(people["status_date"])
    assert pd.api.types.is_datetime64_any_dtype(people["entry_date"])
    assert people["status_date"].tolist() == [pd.Timestamp(2021, 3, 31)]
    extract = deidentify(people, spells_frame(utcnow()), dt.date(2026, 11, 30))
    assert extract["completion_fy"].tolist() == [2020]  # 31 March is the fiscal year's end
    assert extract["years_since_completion"].tolist() == [5]


def test_each_person_counts_once_with_the_latest_enrolment_and_current_spell(
        make_registrant, make_university):
    """The latest entry wins, then the latest recorded of two on the same day; the current
    spell begun last wins, then the latest recorded; an ended spell never counts."""
    from jgrad.accounts.models import Account
    from jgrad.actors import Actor
    from jgrad.extensions import db
    from jgrad.registrants import services as records

    other = make_university()
    person = make_registrant()
    account = db.session.get(Account, person.account_id)
    actor = Actor.for_account(account)

    def enrol(entry, field, university):
        records.add_enrolment(person, dict(
            university_id=university.id, graduate_school="Graduate School of Science",
            field=field, programme_type="latter", entry_date=entry, status="enrolled",
            status_date=None), actor)

    def spell(start, end, sector):
        records.add_career_spell(person, dict(
            start_month=start, end_month=end, labour_status="employed", sector=sector,
            employment_term="permanent", country="JP"), actor)

    enrol(dt.date(2022, 4, 1), "01", other)
    enrol(dt.date(2022, 4, 1), "02", other)  # same day, recorded later: this one
    enrol(dt.date(2019, 4, 1), "03", other)
    spell(dt.date(2020, 4, 1), None, "company")
    spell(dt.date(2023, 4, 1), None, "government")
    spell(dt.date(2023, 4, 1), None, "university")  # same month, recorded later: this one
    spell(dt.date(2024, 4, 1), dt.date(2024, 9, 1), "npo")  # ended
    make_registrant()  # someone else, once
    db.session.commit()
    now = utcnow()
    people = people_frame(now).set_index("pid")
    assert len(people) == 2
    assert people.loc[person.id, "field"] == "02"
    assert people.loc[person.id, "university"] == other.name_en
    assert people.loc[person.id, "entry_date"] == pd.Timestamp(2022, 4, 1)
    spells = spells_frame(now).set_index("pid")
    assert spells.index.tolist() == [person.id]
    assert spells.loc[person.id, "sector"] == "university"
