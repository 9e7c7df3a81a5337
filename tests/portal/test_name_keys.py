"""Each enrolment's copy of its registrant's roman names (migration 0015), which one
university's alumni list walks in name order, stays in step whoever writes."""
import datetime as dt
import re

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.extensions import db
from jgrad.registrants.models import Enrolment


def keys(enrolment_id: int) -> tuple:
    return tuple(db.session.execute(
        sa.select(Enrolment.family_roman_key, Enrolment.given_roman_key)
        .where(Enrolment.id == enrolment_id)).one())


def test_the_name_keys_follow_every_write_to_names_and_enrolments(
        app, make_university, make_registrant):
    home = make_university(code="HOME")
    sato = make_registrant(university=home, family_name_roman="Sato", given_name_roman=None)
    ito = make_registrant(university=home, family_name_roman="Ito", given_name_roman="Mei")
    db.session.commit()
    first = sato.enrolments[0].id
    assert keys(first) == ("Sato", "")  # added through the ORM; NULL sorts as ''

    sato.family_name_roman, sato.given_name_roman = "Kato", "Ren"  # the registrant's form
    db.session.commit()
    assert keys(first) == ("Kato", "Ren")
    sato.family_name_roman = None
    db.session.commit()
    assert keys(first) == ("", "Ren")

    # Written as the importer and the API write: Core, no ORM object.
    second = db.session.execute(sa.insert(Enrolment).values(
        registrant_id=ito.id, university_id=home.id, graduate_school="Graduate School of Law",
        field="02", programme_type="latter", entry_date=dt.date(2020, 4, 1),
        status="enrolled", supplied_by="university", changed_by="university")
        .returning(Enrolment.id)).scalar_one()
    assert keys(second) == ("Ito", "Mei")
    db.session.execute(sa.update(Enrolment).where(Enrolment.id == first)
                       .values(registrant_id=ito.id))  # as a merge of duplicates moves it
    assert keys(first) == ("Ito", "Mei")
    db.session.execute(sa.text("UPDATE registrants SET given_name_roman = 'Aoi' "
                               "WHERE id = :id"), {"id": ito.id})
    assert keys(first) == keys(second) == ("Ito", "Aoi")
    db.session.commit()


def test_rule4_a_changed_name_moves_the_person_in_their_universitys_list_at_once(
        client, login, make_university, make_registrant, make_account):
    home = make_university(code="HOME")
    for family in ("Abe", "Ito", "Sato", "Tanaka"):
        make_registrant(university=home, family_name_roman=family, given_name_roman="Jun")
    make_account(role=Role.STAFF, university=home, email="viewer@home.example")
    db.session.commit()
    login("viewer@home.example")

    def names():
        page = client.get("/records/?sort=name").get_data(as_text=True)
        return re.findall(r'<span class="small">Jun (\w+)</span>', page)

    assert names() == ["Abe", "Ito", "Sato", "Tanaka"]
    tanaka = db.session.scalar(sa.select(Enrolment).join(Enrolment.registrant).where(
        sa.text("registrants.family_name_roman = 'Tanaka'"))).registrant
    tanaka.family_name_roman = "Aoki"
    db.session.commit()
    assert names() == ["Abe", "Aoki", "Ito", "Sato"]


def test_a_migration_killed_halfway_on_sqlite_finishes_when_run_again(tmp_path):
    """SQLite's DDL is not transactional here: 0015 may have added a column and its index
    and been killed before it recorded itself. Running it again finishes the job."""
    from flask_migrate import upgrade

    from jgrad import create_app
    from tests.conftest import make_config

    app = create_app(make_config(f"sqlite:///{tmp_path / 'half.sqlite3'}", tmp_path / "i"))
    with app.app_context():
        upgrade(revision="0014_last_activity_index")
        with db.engine.begin() as connection:  # what a killed first run left behind
            connection.execute(sa.text("ALTER TABLE enrolments ADD COLUMN family_roman_key "
                                       "VARCHAR(100) DEFAULT '' NOT NULL"))
            connection.execute(sa.text("CREATE INDEX ix_half_run "
                                       "ON enrolments (university_id, family_roman_key)"))
        upgrade(revision="0015_enrolment_name_keys")
        with db.engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("enrolments")}
            triggers = set(connection.scalars(sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")))
            version = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
        assert {"family_roman_key", "given_roman_key"} <= columns
        assert {"enrolments_name_keys_insert", "enrolments_name_keys_move",
                "registrants_name_keys"} <= triggers
        assert version == "0015_enrolment_name_keys"
        db.engine.dispose()


def test_a_deep_page_by_name_starts_its_walk_at_the_cursor_on_sqlite(app):
    """SQLite takes the first range on the index it meets: the bound on the family name
    alone made it read every namesake before the cursor (a common family name is a tenth of
    a university); the row value starts the walk at the cursor's own row (0.55 → 0.15 ms by
    hand for a page 60 % of the way down 50,000 alumni)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's planner; PostgreSQL takes the row value whatever the order")
    from jgrad.portal import keyset

    table = Enrolment.__table__
    walk = sa.select(table.c.id, *keyset.key_columns("name", True)).where(
        table.c.university_id == sa.bindparam("university")).with_hint(
        table, "INDEXED BY ix_enrolments_university_name", "sqlite")
    for after, bound in ((True, ">"), (False, "<")):
        statement = keyset.ordered(walk, "name", after, 50, within_university=True)
        sql = str(statement.compile(db.engine))
        plan = " ".join(str(row[3]) for row in db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + sql, ("x",) * sql.count("?")))
        db.session.rollback()
        assert f"(family_roman_key,given_roman_key,registrant_id){bound}" in plan, plan
