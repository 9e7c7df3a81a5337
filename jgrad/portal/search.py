"""The alumni list's search box: a person by Doctor ID, student number or any part of a name.

``finds`` is the rule itself (checked on every row listed). ``candidates`` narrows the
rows first through an index, so that a search does not read every registrant. A list of one
university's enrolments (a staff member's) looks up that university's alone: the GIN index
of migration 0016 on PostgreSQL, its FTS5 trigram table ``enrolment_names`` on SQLite. A
list of every university's goes through every registrant's names: the trigram index of
migration 0012 on PostgreSQL, the FTS5 trigram table ``registrant_names`` of migration 0013
on SQLite. An index of trigrams cannot look up a word shorter than three
characters (a two-kanji family name): such words are checked by ``finds`` alone, and when a
search has no longer word, or SQLite has no FTS5, every registrant the account sees is read.
"""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.extensions import db
from jgrad.identifiers import is_valid_doctor_id
from jgrad.registrants.models import NAMES, Enrolment, Registrant

FTS_TABLE = "registrant_names"
ENROLMENT_FTS_TABLE = "enrolment_names"
_FTS: dict[tuple, bool] = {}


def words(term: str) -> list[str]:
    """The words of a search: "山田 花子", "Yamada Hana", "やまだ　はなこ" (a full-width space)."""
    return term.replace("\u3000", " ").split()


def finds(term: str):
    """A person by Doctor ID, student number (at the listed enrolment) or part of a name."""
    if is_valid_doctor_id(term.upper()):
        return Registrant.doctor_id == term.upper()
    each_word = sa.and_(*(NAMES.contains(word.lower(), autoescape=True)
                          for word in words(term)))
    return sa.or_(Enrolment.student_number == term, each_word)


def candidates(term: str, university_id: int | None):
    """A condition that every row ``finds`` keeps also meets, and that an index serves;
    None where none does (a Doctor ID is found by its own index). With ``university_id``
    (the rows are that university's enrolments) the index holds that university's
    enrolments alone (migration 0016); without it, every registrant."""
    if is_valid_doctor_id(term.upper()):
        return None
    lowered = [word.lower() for word in words(term)]
    if university_id is not None:
        numbered = sa.select(Enrolment.id).where(Enrolment.student_number == term,
                                                 Enrolment.university_id == university_id)
        named, table, key = Enrolment.names_key, ENROLMENT_FTS_TABLE, Enrolment.id
        marker = [university_marker(university_id)]
    else:
        numbered = sa.select(Enrolment.registrant_id).where(Enrolment.student_number == term)
        named, table, key, marker = NAMES, FTS_TABLE, Registrant.id, []
    if db.engine.dialect.name == "postgresql":
        return sa.or_(sa.and_(*(named.contains(word, autoescape=True) for word in lowered)),
                      key == sa.any_(sa.func.array(numbered.scalar_subquery())))
    # Lower-cased as ``finds`` matches them: FTS5 folds the case of fewer letters.
    indexed = [word for word in lowered if len(word) >= 3]
    if not indexed or not has_fts(table):
        return None
    match = " ".join(_phrase(word) for word in indexed + marker)
    matched = sa.select(sa.literal_column("rowid")).select_from(sa.table(table)).where(
        sa.literal_column(table).op("MATCH")(match))
    # One list of both: two IN lists joined by OR made SQLite read the name matches twice
    # (306 against 122 ms for a name 12 % of a million share).
    return key.in_(sa.union_all(matched, numbered))


def university_marker(university_id: int) -> str:
    """What ``enrolment_names`` holds after an enrolment's names: its university's id
    between two unit separators, which no typed name holds (and were one to, the search's
    own conditions still decide)."""
    return f"\x1f{int(university_id)}\x1f"


def _phrase(word: str) -> str:
    """An FTS5 phrase (quotes doubled): the trigram tokenizer finds it inside any text."""
    return '"' + word.replace('"', '""') + '"'


def has_fts(table: str = FTS_TABLE) -> bool:
    """Whether this SQLite database has an FTS5 name table (its library may lack FTS5)."""
    key = (str(db.engine.url), table)
    if key not in _FTS:
        _FTS[key] = db.session.scalar(sa.text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": table}) == 1
    return _FTS[key]
