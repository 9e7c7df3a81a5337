"""The one place that decides which registrants an account may see and change (rule 4).

A university's staff see a registrant only when the registrant has a doctoral enrolment at
that university, the university cooperates, the registrant shares with their university,
and the registrant's account is neither suspended nor deleted. Administrators see everyone.
Nobody else sees anyone. Every page, export, import and message for staff goes through here,
so a change of any of these conditions takes effect on the very next request.

Writes are checked as strictly as reads: staff correct the profile and career spells of a
registrant they see (rule 7), but create and change only enrolments at their own university;
the enrolments at other universities they see read-only.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, request

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.audit import services as audit
from jgrad.audit.models import Outcome
from jgrad.extensions import db
from jgrad.registrants.models import Enrolment, Registrant
from jgrad.universities.models import University

VISIBLE_STATES = (str(AccountState.ACTIVE), str(AccountState.PENDING))


def visible_condition(account, enrolment_joined: bool = False):
    """Return a WHERE clause on Registrant for what ``account`` may see (false for none).

    ``enrolment_joined``: the query already joins Enrolment restricted to the staff member's
    university, so the enrolment condition holds by construction and is not repeated.
    """
    if account.role == Role.ADMIN:
        return sa.true()
    if account.role != Role.STAFF or account.university_id is None:
        return sa.false()
    return university_sees(account.university_id, enrolment_joined)


def university_sees(university_id: int, enrolment_joined: bool = False):
    """Return a WHERE clause on Registrant for the registrants a university may use."""
    # Aliases, so that the conditions stay correct in queries that join these tables too.
    owner = sa.orm.aliased(Account)
    enrolment = sa.orm.aliased(Enrolment)
    university = sa.orm.aliased(University)
    enrolled_here = sa.select(enrolment.id).where(
        enrolment.registrant_id == Registrant.id,
        enrolment.university_id == university_id,
    ).correlate(Registrant).exists()
    cooperating = sa.select(university.id).where(
        university.id == university_id, university.cooperating.is_(True)).exists()
    active_owner = sa.select(owner.id).where(
        owner.id == Registrant.account_id, owner.state.in_(VISIBLE_STATES)
    ).correlate(Registrant).exists()
    conditions = [cooperating, Registrant.share_with_university.is_(True), active_owner]
    if not enrolment_joined:
        conditions.append(enrolled_here)
    return sa.and_(*conditions)


def visible_registrants(account):
    """Select the registrants ``account`` may see."""
    return sa.select(Registrant).where(visible_condition(account))


def registrant_for(account, doctor_id: str) -> Registrant:
    """Load one registrant the account may see, or answer 404 and audit the refusal."""
    registrant = db.session.scalar(
        visible_registrants(account).where(Registrant.doctor_id == doctor_id.upper()))
    if registrant is None:
        _refuse(account, "registrant")
    return registrant


def record_for(account, registrant: Registrant, model, record_id: int):
    """Load an enrolment or career spell of a visible registrant, or 404 (audited)."""
    record = db.session.scalar(sa.select(model).where(
        model.id == record_id, model.registrant_id == registrant.id))
    if record is None:
        _refuse(account, model.__tablename__)
    return record


def may_write(account, record) -> bool:
    """Say whether ``account`` may change ``record`` of a registrant it sees."""
    if account.role == Role.ADMIN:
        return True
    if account.role != Role.STAFF or account.university_id is None:
        return False
    if isinstance(record, Enrolment):
        return record.university_id == account.university_id
    return True  # the profile and career spells of their alumni (rule 7)


def writable_record_for(account, registrant: Registrant, model, record_id: int):
    """Load a record the account may change, or 404 (audited): see ``may_write``."""
    record = record_for(account, registrant, model, record_id)
    if not may_write(account, record):
        _refuse(account, model.__tablename__)
    return record


def _refuse(account, object_type: str):
    """Answer 404 (a 403 would say the record exists) and audit the attempt."""
    audit.record("record.refused", account=account, object_type=object_type,
                 outcome=Outcome.DENIED, details={"path": request.path})
    db.session.commit()
    abort(404)
