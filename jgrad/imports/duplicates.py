"""Administrators merge an imported lookalike into an existing record, or keep it apart."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.accounts.models import Account
from jgrad.actors import Actor, Source
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.imports import people
from jgrad.imports.models import PossibleDuplicate
from jgrad.registrants import services as records
from jgrad.registrants.models import Registrant
from jgrad.universities.models import University

DATES = ("entry_date", "status_date")


def open_flags(limit: int = 200) -> list:
    """Return the open flags, oldest first: (flag, candidate registrant, university name)."""
    return db.session.execute(
        sa.select(PossibleDuplicate, Registrant, University.name_en)
        .join(Registrant, Registrant.id == PossibleDuplicate.candidate_registrant_id)
        .join(University, University.id == PossibleDuplicate.university_id)
        .where(PossibleDuplicate.state == "open").order_by(PossibleDuplicate.id).limit(limit)
    ).all()


def open_flag(flag_id: int) -> PossibleDuplicate | None:
    """Return the flag if it is still open."""
    flag = db.session.get(PossibleDuplicate, flag_id)
    return flag if flag is not None and flag.state == "open" else None


def _row(flag: PossibleDuplicate) -> dict:
    row = dict(flag.row)
    for name in DATES:
        row[name] = dt.date.fromisoformat(row[name]) if row.get(name) else None
    return row


def same_programme(registrant: Registrant, flag: PossibleDuplicate, row: dict):
    """Return the registrant's enrolment the imported row describes, or None.

    That is an enrolment at the importing university without a student number (or with
    the row's), preferring the same programme type, then the nearest date of entry.
    """
    candidates = [e for e in registrant.enrolments if e.university_id == flag.university_id
                  and e.student_number in (None, "", flag.student_number)]
    if not candidates:
        return None
    same_type = [e for e in candidates if e.programme_type == row.get("programme_type")]

    def distance(enrolment):
        entry = row.get("entry_date")
        return abs((enrolment.entry_date - entry).days) if entry and enrolment.entry_date \
            else 0

    return min(same_type or candidates, key=lambda e: (distance(e), e.id))


def merge(flag: PossibleDuplicate, by: Account) -> tuple[Registrant, bool]:
    """Join the imported lookalike to the existing registrant; say whether it combined.

    When the registrant already has that doctoral programme (entered by themselves, say),
    the university's row completes and corrects it, with the university as the source of
    each changed item in the history; otherwise the row becomes a new enrolment.
    """
    if flag.kind == "claim":
        raise ValueError(f"possible duplicate {flag.id}: a claim has both records already")
    row = _row(flag)
    registrant = db.session.get(Registrant, flag.candidate_registrant_id)
    actor = Actor(Source.UNIVERSITY, by.id, flag.university_id)
    values = dict({name: row[name] for name in people.ENROLMENT},
                  university_id=flag.university_id, student_number=flag.student_number)
    existing = same_programme(registrant, flag, row)
    if existing is not None:
        records.update_enrolment(existing, {k: v for k, v in values.items() if v is not None},
                                 actor)
        existing.supplied_by = Source.UNIVERSITY  # the university vouches for it from now on
        existing.supplied_by_university_id = flag.university_id
    else:
        records.add_enrolment(registrant, values, actor)
    flag.resolve("merged", by=by)
    return registrant, existing is not None


def keep_apart(flag: PossibleDuplicate, by: Account) -> None:
    """Keep the two apart: a lookalike becomes a registrant of its own.

    For a claim the import created the real student already; the claimant keeps their
    record without the number.
    """
    if flag.kind != "claim":
        university = db.session.get(University, flag.university_id)
        row = _row(flag)
        if row.get("email") and db.session.scalar(
                sa.select(Account.id).where(Account.email == row["email"])):
            row["email"] = None  # the address belongs to the other record; invite no one twice
        people.create_people(university, [row], Actor(Source.UNIVERSITY, by.id,
                                                      university.id), utcnow())
    flag.resolve("kept_apart", by=by)
