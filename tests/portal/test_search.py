"""The search box's indexes: SQLite's FTS5 name table follows every change; without it (an
SQLite with no FTS5) the search finds the same people by reading every registrant."""
import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.extensions import db
from jgrad.portal import search

TRIGGERS = {"registrant_names_insert", "registrant_names_update", "registrant_names_delete"}


@pytest.fixture
def people(make_university, make_registrant, make_account):
    home = make_university(code="HOME")
    found = {
        "kobayashi": make_registrant(university=home, family_name="小林", given_name="一郎",
                                     family_name_kana="コバヤシ", given_name_kana="イチロウ",
                                     family_name_roman="Kobayashi", given_name_roman="Ichiro"),
        "mori": make_registrant(university=home, family_name="森", given_name="花",
                                family_name_roman="Mori", given_name_roman="Hana"),
    }
    found["kobayashi"].enrolments[0].student_number = "D24-015"
    make_account(role=Role.STAFF, university=home, email="viewer@home.example")
    db.session.commit()
    return found


def listed(client, query: str) -> set[str]:
    page = client.get(f"/records/?{query}").get_data(as_text=True)
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return {part.split('"')[0] for part in body.split('href="/records/')[1:]}


def test_sqlite_keeps_the_name_table_in_step_through_triggers(app, people):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the FTS5 table is SQLite's; PostgreSQL has its trigram index")
    triggers = set(db.session.scalars(sa.text(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    assert TRIGGERS <= triggers  # a migration that rebuilds registrants must keep them
    assert search.has_fts()

    def matching(word):
        return set(db.session.scalars(sa.text(
            "SELECT rowid FROM registrant_names WHERE registrant_names MATCH :q"),
            {"q": f'"{word}"'}))

    kobayashi = people["kobayashi"]
    assert matching("bayas") == {kobayashi.id}
    assert matching("コバヤ") == {kobayashi.id}
    kobayashi.family_name_roman = "Morimoto"
    db.session.commit()
    assert matching("bayas") == set()
    assert matching("morim") == {kobayashi.id}
    db.session.execute(sa.text("DELETE FROM registrants WHERE id = :id"),
                       {"id": people["mori"].id})
    assert matching("hana") == set()
    db.session.rollback()


@pytest.mark.parametrize("fts", [True, False])
def test_the_search_finds_by_kana_roman_kanji_and_student_number_with_or_without_fts(
        client, login, people, monkeypatch, fts):
    if db.engine.dialect.name == "sqlite" and not fts:
        monkeypatch.setattr(search, "has_fts", lambda *table: False)
    kobayashi, mori = people["kobayashi"].doctor_id, people["mori"].doctor_id
    login("viewer@home.example")
    assert listed(client, "name=koba") == {kobayashi}
    assert listed(client, "name=ICHIRO%20kobayashi") == {kobayashi}
    assert listed(client, "name=コバヤシ") == {kobayashi}
    assert listed(client, "name=小林") == {kobayashi}  # two characters: no trigram
    assert listed(client, "name=hana%20小林") == set()  # every word must match
    assert listed(client, "name=hana") == {mori}
    assert listed(client, 'name=ha"na') == set()  # a quote is a character, not syntax
    assert listed(client, "name=D24-015") == {kobayashi}
