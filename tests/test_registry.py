"""The registries: every table about a person is declared once, and deletion, leftovers and
the registrant's download all read the declaration; every job is declared by its package."""
import datetime as dt

import pytest

from jgrad.extensions import db
from jgrad.registrants.export import export_data
from jgrad.registry import personal_tables, register_job, register_personal_table, registry

# Columns that name who did something (kept, set to NULL when that account goes), not whom
# the row is about.
ACTOR_COLUMNS = ("actor_account_id", "sender_account_id", "changed_by_account_id",
                 "recorded_by_account_id", "created_by_account_id", "resolved_by_account_id")


def test_every_table_about_a_person_is_registered(app):
    registered = {(t.model.__tablename__, c) for t in personal_tables() for c in t.columns}
    checked = 0
    for table in db.metadata.sorted_tables:
        if table.name in ("registrants", "accounts"):
            continue
        for column in table.columns:
            for key in column.foreign_keys:
                if key.column.table.name not in ("registrants", "accounts"):
                    continue
                checked += 1
                if column.name in ACTOR_COLUMNS:
                    continue
                assert (table.name, column.name) in registered, (
                    f"{table.name}.{column.name} is about a person: register the table with "
                    "jgrad.registry.register_personal_table in its package's init_app")
    assert checked > 10


def test_deletion_and_leftovers_cover_every_registered_table(app, make_registrant):
    from jgrad.lifecycle.deletion import delete_registrants, leftovers
    from jgrad.lifecycle.person import people

    registrant = make_registrant()
    [person] = people([registrant.id])
    counts = leftovers(person)
    for table in personal_tables(deleted=True):
        assert table.model.__tablename__ in counts
    assert counts["enrolments"] == 1
    delete_registrants([registrant.id], "request")
    db.session.commit()
    assert not any(leftovers(person).values())


def test_the_download_has_a_part_for_every_table_registered_with_one(app, make_registrant):
    registrant = make_registrant()
    data = export_data(registrant)
    parts = [t.download for t in personal_tables() if t.download]
    assert {"enrolments", "career_spells", "access_events"} <= set(parts)
    assert set(parts) <= set(data)
    assert len(data["enrolments"]) == 1 and data["enrolments"][0]["supplied_by"]


def test_each_job_and_table_is_declared_once(app):
    from jgrad.registrants.models import Enrolment

    jobs = registry().jobs
    assert {"dormancy-check", "deletion-deadlines", "token-cleanup", "mail-delivery",
            "preview-expiry", "stats-release"} <= set(jobs)
    with pytest.raises(ValueError, match="twice"):
        register_job(app, "mail-delivery", jobs["mail-delivery"].function,
                     jobs["mail-delivery"].trigger, dt.timedelta(minutes=1))
    with pytest.raises(ValueError, match="twice"):
        register_personal_table(app, Enrolment)
    with pytest.raises(ValueError, match="does not name"):
        register_personal_table(app, Enrolment, person="university_id")
