"""Each enrolment's copy of its registrant's names (migration 0016), through which one
university's name search looks up that university's enrolments alone: it stays in step
whoever writes, goes with the enrolment, and never lets a university find another's."""
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.extensions import db
from jgrad.portal import search
from jgrad.registrants.models import Enrolment
from tests.portal.test_search import listed

KOBAYASHI = dict(family_name="小林", given_name="一郎", family_name_kana="コバヤシ",
                 given_name_kana="イチロウ", family_name_roman="Kobayashi",
                 given_name_roman="Ichiro")


def names_key(enrolment_id: int) -> str:
    return db.session.scalar(sa.select(Enrolment.names_key).where(Enrolment.id == enrolment_id))


def indexed(enrolment_id: int) -> str | None:
    """The enrolment's text in SQLite's FTS5 table (None if it has no row there)."""
    return db.session.scalar(sa.text("SELECT names FROM enrolment_names WHERE rowid = :id"),
                             {"id": enrolment_id})


def add_enrolment(registrant_id: int, university_id: int) -> int:
    """An enrolment written as the importer and the API write: Core, no ORM object."""
    return db.session.execute(sa.insert(Enrolment).values(
        registrant_id=registrant_id, university_id=university_id, field="02",
        graduate_school="Graduate School of Law", programme_type="latter",
        entry_date=dt.date(2020, 4, 1), status="enrolled", supplied_by="university",
        changed_by="university").returning(Enrolment.id)).scalar_one()


def test_the_names_follow_every_write_and_go_with_the_enrolment(
        app, make_university, make_registrant):
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        assert search.has_fts(search.ENROLMENT_FTS_TABLE)
    home, away = make_university(code="HOME"), make_university(code="AWAY")
    kobayashi = make_registrant(university=home, **KOBAYASHI)
    mori = make_registrant(university=home, family_name="森", given_name="花",
                           family_name_roman="Mori", given_name_roman="Hana")
    first = kobayashi.enrolments[0].id
    assert names_key(first) == "小林 一郎 コバヤシ イチロウ kobayashi ichiro"

    def marked(names: str, university) -> str:
        return f"{names} {search.university_marker(university.id)}"

    if sqlite:
        assert indexed(first) == marked(names_key(first), home)

    kobayashi.family_name_kana = "コバヤシイ"  # any of the six names, through the ORM
    db.session.commit()
    assert "コバヤシイ" in names_key(first)
    db.session.execute(sa.text("UPDATE registrants SET given_name_roman = 'Jiro' "
                               "WHERE id = :id"), {"id": kobayashi.id})
    assert names_key(first).endswith("kobayashi jiro")

    second = add_enrolment(kobayashi.id, away.id)
    assert names_key(second) == names_key(first)
    if sqlite:
        assert indexed(second) == marked(names_key(first), away)

    # An enrolment moved to another registrant, then to another university.
    db.session.execute(sa.update(Enrolment).where(Enrolment.id == second)
                       .values(registrant_id=mori.id))
    assert names_key(second) == "森 花   mori hana"
    db.session.execute(sa.update(Enrolment).where(Enrolment.id == second)
                       .values(university_id=home.id))
    if sqlite:
        assert indexed(second) == marked("森 花   mori hana", home)

    db.session.execute(sa.delete(Enrolment).where(Enrolment.id == second))
    db.session.execute(sa.text("DELETE FROM registrants WHERE id = :id"), {"id": kobayashi.id})
    assert names_key(first) is None  # deleted with its registrant (ON DELETE CASCADE)
    if sqlite:
        assert indexed(first) is None and indexed(second) is None
        leftover = db.session.scalar(sa.text(
            "SELECT count(*) FROM enrolment_names WHERE enrolment_names MATCH '\"kobayashi\"'"))
        assert leftover == 0
    db.session.commit()


@pytest.mark.parametrize("fts", [True, False])
def test_rule4_each_university_finds_its_own_alumni_by_name_and_no_one_else(
        client, login, make_university, make_registrant, make_account, monkeypatch, fts):
    if db.engine.dialect.name == "sqlite" and not fts:
        monkeypatch.setattr(search, "has_fts", lambda *table: False)
    home, away = make_university(code="HOME"), make_university(code="AWAY")
    both = make_registrant(university=home, **KOBAYASHI)
    add_enrolment(both.id, away.id)
    only_away = make_registrant(university=away, family_name_roman="Kobayashi",
                                given_name_roman="Aoi")
    hidden = make_registrant(university=home, family_name_roman="Kobayashi",
                             given_name_roman="Ren")
    hidden.share_with_university = False  # opted out: the search must not find them
    both.enrolments[0].student_number = "D24-015"
    only_away.enrolments[0].student_number = "D24-016"
    make_account(role=Role.STAFF, university=home, email="viewer@home.example")
    make_account(role=Role.STAFF, university=away, email="viewer@away.example")
    db.session.commit()

    login("viewer@home.example")
    assert listed(client, "name=kobayashi") == {both.doctor_id}
    assert listed(client, "name=bayashi%20ICHI") == {both.doctor_id}
    assert listed(client, "name=コバヤシ") == {both.doctor_id}
    assert listed(client, "name=D24-015") == {both.doctor_id}
    assert listed(client, "name=D24-016") == set()  # another university's student number
    assert listed(client, "name=aoi") == set()

    both.family_name_roman = "Morimoto"  # a new name is found at once, the old one not
    db.session.commit()
    assert listed(client, "name=kobayashi") == set()
    assert listed(client, "name=morimoto&sort=entry") == {both.doctor_id}

    assert client.submit("/logout", {}).status_code == 302
    login("viewer@away.example")
    assert listed(client, "name=kobayashi") == {only_away.doctor_id}
    assert listed(client, "name=morimoto") == {both.doctor_id}
    assert listed(client, "name=D24-016") == {only_away.doctor_id}


def test_a_universitys_marker_matches_that_university_alone_on_sqlite(
        app, make_registrant):
    """The marker of university 7 must not match 17, 70 or 77: the index would then hand
    the search another university's enrolments (its own conditions still drop them)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the FTS5 table is SQLite's; PostgreSQL indexes the university's id")
    from jgrad.universities.models import University

    for number in (7, 17, 70, 77):
        db.session.add(University(id=number, code=f"M{number}", name_en=f"University {number}",
                                  name_ja=f"第{number}大学"))
    db.session.commit()
    tanaka = make_registrant(university=db.session.get(University, 7),
                             family_name_roman="Tanaka")
    for number in (17, 70, 77):
        add_enrolment(tanaka.id, number)
    match = f'"tanaka" "{search.university_marker(7)}"'
    found = set(db.session.scalars(sa.text(
        "SELECT rowid FROM enrolment_names WHERE enrolment_names MATCH :match"),
        {"match": match}))
    assert found == {tanaka.enrolments[0].id}
    db.session.commit()


def test_0016_goes_down_and_up_again_and_a_run_killed_halfway_finishes(tmp_path):
    """SQLite's DDL is not transactional here: 0016 may have added its column and table and
    been killed before it recorded itself. Running it again finishes the job, with one row
    of the name table per enrolment; going down leaves 0015's name keys working."""
    from flask_migrate import downgrade, upgrade

    from jgrad import create_app
    from jgrad.accounts.models import Account
    from jgrad.registrants.models import Registrant
    from jgrad.universities.models import University
    from tests.conftest import make_config

    app = create_app(make_config(f"sqlite:///{tmp_path / 'half.sqlite3'}", tmp_path / "i"))
    with app.app_context():
        upgrade()
        now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
        with db.engine.begin() as connection:
            university = connection.execute(sa.insert(University).values(
                code="HOME", name_en="Home", name_ja="本")).inserted_primary_key[0]
            account = connection.execute(sa.insert(Account).values(
                login="JD000000001", email="r@example.org", email_status="valid",
                role="registrant", state="active", session_version=1, locale="ja",
                created_at=now)).inserted_primary_key[0]
            registrant = connection.execute(sa.insert(Registrant).values(
                account_id=account, doctor_id="JD000000001", family_name="田中",
                given_name="花子", family_name_roman="Tanaka", given_name_roman="Hanako",
                birth_year=1990, share_with_university=True, accept_contact=True,
                supplied_by="registrant", changed_by="registrant", created_at=now,
                changed_at=now)).inserted_primary_key[0]
            enrolment = connection.execute(sa.insert(Enrolment.__table__).values(
                registrant_id=registrant, university_id=university, field="02",
                graduate_school="Graduate School of Law", programme_type="latter",
                entry_date=dt.date(2020, 4, 1), status="enrolled", supplied_by="university",
                changed_by="university", created_at=now, changed_at=now)
            ).inserted_primary_key[0]

        def read(sql: str):
            with db.engine.connect() as connection:
                return connection.execute(sa.text(sql)).all()

        downgrade(revision="0015_enrolment_name_keys")
        assert "names_key" not in {c["name"] for c in sa.inspect(db.engine).get_columns(
            "enrolments")}
        assert read("SELECT name FROM sqlite_master WHERE name LIKE 'enrolment_names%'") == []
        with db.engine.begin() as connection:  # 0015's keys still follow a new name
            connection.execute(sa.text("UPDATE registrants SET family_name_roman = 'Ito'"))
            # What a killed run of 0016 left behind: its column, its table, half a copy.
            connection.execute(sa.text("ALTER TABLE enrolments ADD COLUMN names_key TEXT "
                                       "DEFAULT '' NOT NULL"))
            connection.execute(sa.text("CREATE VIRTUAL TABLE enrolment_names USING "
                                       "fts5(names, tokenize='trigram')"))
            connection.execute(sa.text("INSERT INTO enrolment_names (rowid, names) "
                                       "VALUES (:id, 'stale')"), {"id": enrolment})
        assert read("SELECT family_roman_key FROM enrolments") == [("Ito",)]

        upgrade()
        assert read("SELECT names_key FROM enrolments") == [("田中 花子   ito hanako",)]
        assert read("SELECT rowid, names FROM enrolment_names") == [
            (enrolment, f"田中 花子   ito hanako \x1f{university}\x1f")]
        triggers = {name for name, in read("SELECT name FROM sqlite_master "
                                           "WHERE type = 'trigger'")}
        assert {"enrolments_name_keys_insert", "enrolments_name_keys_move",
                "registrants_name_keys", "enrolment_names_update",
                "enrolment_names_delete"} <= triggers
        assert read("SELECT version_num FROM alembic_version") == [("0016_enrolment_names",)]
        db.engine.dispose()


def test_an_enrolment_added_during_a_rename_copies_the_new_names_on_postgresql(
        app, make_university, make_registrant):
    """Two transactions at once: one renames a registrant, the other adds an enrolment for
    them. The second must wait for the first and copy the new names; had it copied the old
    ones, the rename's update of the enrolments would never see its row, and the search
    would miss the person for good."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    import threading
    import time

    home = make_university(code="HOME")
    person = make_registrant(university=home, family_name_roman="Ito", given_name_roman="Mei")
    db.session.commit()
    added, engine, person_id, home_id = {}, db.engine, person.id, home.id

    def enrol():
        with engine.begin() as connection:
            added["id"] = connection.execute(sa.insert(Enrolment).values(
                registrant_id=person_id, university_id=home_id, field="02",
                graduate_school="Graduate School of Law", programme_type="latter",
                entry_date=dt.date(2020, 4, 1), status="enrolled", supplied_by="university",
                changed_by="university").returning(Enrolment.id)).scalar_one()

    with db.engine.connect() as renaming, db.engine.connect() as watching:
        renaming.begin()
        renaming.execute(sa.text("UPDATE registrants SET family_name_roman = 'Kato' "
                                 "WHERE id = :id"), {"id": person_id})
        adding = threading.Thread(target=enrol)
        adding.start()
        for _ in range(1000):  # until the insert waits for the rename (or has finished)
            waiting = watching.scalar(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"))
            watching.rollback()
            if waiting or not adding.is_alive():
                break
            time.sleep(0.01)
        renaming.commit()
        adding.join(30)
    assert names_key(added["id"]).endswith("kato mei")
    db.session.commit()


def test_a_name_found_in_any_case_the_rule_folds_and_a_control_character_is_a_space(
        client, login, make_university, make_registrant, make_account):
    """The index is asked for the words as the rule matches them, lower-cased: FTS5 folds
    the case of fewer letters than Python (Georgian capitals, for one), and a word it folded
    otherwise would be missed. A NUL, which neither database takes in a string, is a space."""
    home = make_university(code="HOME")
    person = make_registrant(university=home, family_name_roman="ბერიძე",
                             given_name_roman="Nino")
    make_account(role=Role.STAFF, university=home, email="viewer@home.example")
    db.session.commit()
    login("viewer@home.example")
    assert listed(client, "name=ბერიძე") == {person.doctor_id}
    assert listed(client, "name=ᲑᲔᲠᲘᲫᲔ") == {person.doctor_id}  # its capitals (Mtavruli)
    assert listed(client, "name=nino%00ბერიძე") == {person.doctor_id}
    assert listed(client, "name=%00") == {person.doctor_id}  # no search left: everyone
