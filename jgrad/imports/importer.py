"""Write a checked university file: upsert on university + student number, all or nothing.

Existing enrolments are updated (only the university's own enrolment data; the profile the
registrant keeps is left alone), new people get a pending account and an invitation, and a
person who looks like an existing registrant (same name, birth year, university and entry
year, or the same e-mail address) is held for an administrator instead of being duplicated.
Every statement is set-based: one executemany (or COPY) per table and batch; the new
people are created by ``jgrad.imports.people``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from jgrad.accounts.models import Account, Role
from jgrad.actors import Actor, Source
from jgrad.audit import services as audit
from jgrad.bulk import among
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.portal.access import university_sees
from jgrad.imports.importfile import Problem
from jgrad.imports.models import PossibleDuplicate
from jgrad.imports.people import ENROLMENT, create_people
from jgrad.registrants.history import RecordChange
from jgrad.registrants.models import Enrolment, Registrant
from jgrad.registrants.services import check_university, plain

#: New people above which an import refreshes the planner's statistics (PostgreSQL), so that
#: the next statement is not planned for the table's size before the load.
ANALYZE_AFTER = 1000


@dataclass
class ImportPlan:
    new: list[dict] = field(default_factory=list)
    updates: list[tuple[dict, dict]] = field(default_factory=list)  # (row, changes)
    unchanged: int = 0
    flags: list[tuple[dict, int]] = field(default_factory=list)  # (row, candidate registrant)
    already_flagged: int = 0
    # Rows whose student number a registrant gave themselves: (row, their enrolment, them).
    claims: list[tuple[dict, int, int]] = field(default_factory=list)
    # Rows of registrants the university may not see (opted out, suspended): their lines.
    unavailable: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """What the import does, in full: for the institute's command line."""
        return {"added": len(self.new) + len(self.claims), "updated": len(self.updates),
                "unchanged": self.unchanged,
                "flagged": len(self.flags) + self.already_flagged + len(self.claims),
                "unavailable": len(self.unavailable)}

    def university_summary(self) -> dict[str, int]:
        """What the university may learn: new rows are counted together whether they are
        created or held for an administrator, since why a row is held (an address in use, a
        lookalike) would say something about other people's records."""
        return {"new": len(self.new) + len(self.claims) + len(self.flags)
                + self.already_flagged, "updated": len(self.updates),
                "unchanged": self.unchanged, "unavailable": len(self.unavailable)}


def _lookalike_key(family, given, birth_year, entry_year):
    return (family, given, birth_year, entry_year)


def plan(university_id: int, rows: list[dict]) -> ImportPlan:
    """Sort the rows into new, changed, unchanged and held-for-review, reading only."""
    result = ImportPlan()
    existing = {
        row.student_number: row for row in db.session.execute(
            sa.select(Enrolment.id, Enrolment.registrant_id, Enrolment.student_number,
                      Enrolment.supplied_by, university_sees(university_id).label("visible"),
                      *(getattr(Enrolment, c) for c in ENROLMENT))
            .join(Registrant, Registrant.id == Enrolment.registrant_id)
            .where(Enrolment.university_id == university_id,
                   Enrolment.student_number.is_not(None)))
    }
    flagged = set(db.session.scalars(sa.select(PossibleDuplicate.student_number).where(
        PossibleDuplicate.university_id == university_id, PossibleDuplicate.state == "open")))
    lookalikes = {
        _lookalike_key(r.family_name, r.given_name, r.birth_year, r.entry_date.year):
            r.registrant_id
        for r in db.session.execute(
            sa.select(Registrant.family_name, Registrant.given_name, Registrant.birth_year,
                      Enrolment.entry_date, Enrolment.registrant_id)
            .join(Enrolment, Enrolment.registrant_id == Registrant.id)
            .where(Enrolment.university_id == university_id))
    }
    emails = sorted({row["email"] for row in rows if row["email"]})
    owners = {}
    for among_emails in among(db.session, Account.email, emails):
        for email, role, registrant_id in db.session.execute(
                sa.select(Account.email, Account.role, Registrant.id)
                .outerjoin(Registrant, Registrant.account_id == Account.id)
                .where(among_emails)):
            owners[email] = (role, registrant_id)
    for row in rows:
        current = existing.get(row["student_number"])
        if current is not None and not current.visible:
            result.unavailable.append(row["line"])
            continue
        if current is not None and current.supplied_by == Source.REGISTRANT:
            # Only the university says whose student number this is: the real student is
            # created, and the pair held for an administrator.
            owner = owners.get(row["email"])
            result.claims.append((dict(row, email=None) if owner else row, current.id,
                                  current.registrant_id))
            continue
        if current is not None:
            changes = {c: [plain(getattr(current, c)), plain(row[c])] for c in ENROLMENT
                       if getattr(current, c) != row[c]}
            if changes:
                result.updates.append((dict(row, enrolment_id=current.id,
                                            registrant_id=current.registrant_id), changes))
            else:
                result.unchanged += 1
            continue
        if row["student_number"] in flagged:
            result.already_flagged += 1
            continue
        candidate = lookalikes.get(_lookalike_key(row["family_name"], row["given_name"],
                                                  row["birth_year"], row["entry_date"].year))
        if row["email"] in owners:
            role, registrant_id = owners[row["email"]]
            if role != Role.REGISTRANT or registrant_id is None:
                # The address is someone's log-in: the person is created without it, and
                # nothing tells the university whose it is.
                row = dict(row, email=None)
            else:
                candidate = candidate or registrant_id
        if candidate is not None:
            result.flags.append((row, candidate))
        else:
            result.new.append(row)
    return result


def apply(university, import_plan: ImportPlan, actor: Actor, progress=None,
          batch: int = 5000) -> dict[str, int]:
    """Write the plan in the current transaction; the caller commits once."""
    check_university(actor, university.id)
    now = utcnow()
    stamp = dict(changed_by=str(Source.UNIVERSITY), changed_by_university_id=university.id,
                 changed_by_account_id=actor.account_id, changed_at=now)
    history = dict(actor_source=str(actor.source), actor_university_id=actor.university_id,
                   actor_account_id=actor.account_id, at=now)
    if import_plan.updates:
        table = Enrolment.__table__
        statement = table.update().where(table.c.id == sa.bindparam("b_id")).values(
            **{c: sa.bindparam(c) for c in ENROLMENT}, version=table.c.version + 1, **stamp)
        db.session.execute(statement, [dict({c: row[c] for c in ENROLMENT},
                                            b_id=row["enrolment_id"])
                                       for row, _ in import_plan.updates])
        db.session.execute(sa.insert(RecordChange.__table__), [
            dict(registrant_id=row["registrant_id"], record_type="enrolment",
                 record_id=row["enrolment_id"], action="update", changes=changes, **history)
            for row, changes in import_plan.updates])
    if import_plan.flags:
        db.session.execute(sa.insert(PossibleDuplicate.__table__), [
            dict(university_id=university.id, student_number=row["student_number"],
                 candidate_registrant_id=candidate, row=_as_json(row), state="open",
                 created_at=now)
            for row, candidate in import_plan.flags])
    if import_plan.claims:
        _hold_claims(university, import_plan.claims, actor, now, stamp, history)
    for start in range(0, len(import_plan.new), batch):
        create_people(university, import_plan.new[start:start + batch], actor, now)
        if progress:
            progress(min(start + batch, len(import_plan.new)), len(import_plan.new))
    summary = import_plan.summary()
    if len(import_plan.new) > ANALYZE_AFTER \
            and db.session.get_bind().dialect.name == "postgresql":
        # Fresh statistics, so that the next import's look-ups are planned for the new size.
        db.session.execute(sa.text("ANALYZE accounts, registrants, enrolments"))
    audit.record("import.completed", account=db.session.get(Account, actor.account_id)
                 if actor.account_id else None, object_type="university",
                 object_id=university.id, details=summary)
    return summary


def _hold_claims(university, claims, actor: Actor, now, stamp: dict, history: dict) -> None:
    """Take each claimed number off the claimant's enrolment, create the real student with
    it, and hold the pair for an administrator (rule 1: the university supplies its own)."""
    table = Enrolment.__table__
    db.session.execute(
        table.update().where(table.c.id == sa.bindparam("b_id"))
        .values(student_number=None, version=table.c.version + 1, **stamp),
        [dict(b_id=enrolment_id) for _, enrolment_id, _ in claims])
    db.session.execute(sa.insert(RecordChange.__table__), [
        dict(registrant_id=claimant, record_type="enrolment", record_id=enrolment_id,
             action="update", changes={"student_number": [row["student_number"], None]},
             **history)
        for row, enrolment_id, claimant in claims])
    created = create_people(university, [row for row, _, _ in claims], actor, now)
    db.session.execute(sa.insert(PossibleDuplicate.__table__), [
        dict(university_id=university.id, student_number=row["student_number"],
             candidate_registrant_id=claimant, registrant_id=registrant_id, kind="claim",
             row=_as_json(dict(row, claimed_enrolment_id=enrolment_id)), state="open",
             created_at=now)
        for (row, enrolment_id, claimant), registrant_id in zip(claims, created, strict=True)])


def _as_json(row: dict) -> dict:
    return {k: plain(v) for k, v in row.items()}
