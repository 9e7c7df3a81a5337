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
