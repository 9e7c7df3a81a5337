"""The alumni list's search box: a person by Doctor ID, student number or any part of a name.

``finds`` is the rule itself (checked on every row listed). ``candidates`` narrows the
registrants first through an index, so that a search does not read every registrant: the
trigram index of migration 0012 on PostgreSQL, the FTS5 trigram table ``registrant_names`` of
migration 0013 on SQLite. An index of trigrams cannot look up a word shorter than three
characters (a two-kanji family name): such words are checked by ``finds`` alone, and when a
search has no longer word, or SQLite has no FTS5, every registrant the account sees is read.
"""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.extensions import db
from jgrad.identifiers import is_valid_doctor_id
from jgrad.registrants.models import NAMES, Enrolment, Registrant

FTS_TABLE = "registrant_names"
_FTS: dict[str, bool] = {}


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
    """A condition on the registrant alone that every row ``finds`` keeps also meets, and
    that an index serves; None where none does (a Doctor ID is found by its own index)."""
    if is_valid_doctor_id(term.upper()):
        return None
    numbered = sa.select(Enrolment.registrant_id).where(Enrolment.student_number == term)
    if university_id is not None:
        numbered = numbered.where(Enrolment.university_id == university_id)
    if db.engine.dialect.name == "postgresql":
        named = sa.and_(*(NAMES.contains(word.lower(), autoescape=True)
                          for word in words(term)))
        return sa.or_(named, Registrant.id == sa.any_(sa.func.array(
            numbered.scalar_subquery())))
    indexed = [word for word in words(term) if len(word) >= 3]
    if not indexed or not has_fts():
        return None
    # Each word a phrase (quotes doubled): the trigram tokenizer finds it inside any name.
    match = " ".join('"' + word.replace('"', '""') + '"' for word in indexed)
    named = sa.select(sa.literal_column("rowid")).select_from(sa.table(FTS_TABLE)).where(
        sa.literal_column(FTS_TABLE).op("MATCH")(match))
    # One list of both: two IN lists joined by OR made SQLite read the name matches twice
    # (306 against 122 ms for a name 12 % of a million share).
    return Registrant.id.in_(sa.union_all(named, numbered))


def has_fts() -> bool:
    """Whether this SQLite database has the FTS5 name table (its library may lack FTS5)."""
    key = str(db.engine.url)
    if key not in _FTS:
        _FTS[key] = db.session.scalar(sa.text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": FTS_TABLE}) == 1
    return _FTS[key]
