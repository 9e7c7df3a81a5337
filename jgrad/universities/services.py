"""Add universities: one way for the administrators' page and the command line."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.universities.models import University


class UniversityExists(ValueError):
    """A university with this code is registered already."""


def add_university(*, code: str, name_en: str, name_ja: str, kind: str = "national",
                   cooperating: bool = True, by=None) -> University:
    """Add a university (its code upper-cased) with its audit event; the caller commits."""
    code = code.strip().upper()
    if db.session.scalar(sa.select(University.id).where(University.code == code)):
        raise UniversityExists(code)
    university = University(code=code, name_en=name_en.strip(), name_ja=name_ja.strip(),
                            cooperating=cooperating, kind=kind)
    db.session.add(university)
    db.session.flush()
    audit.record("university.created", account=by, object_type="university",
                 object_id=university.id, details={"code": code, "cooperating": cooperating})
    return university



def every_university() -> list[University]:
    """Return every university, by code (for pickers and filters)."""
    return list(db.session.scalars(sa.select(University).order_by(University.code)))
