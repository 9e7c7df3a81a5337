"""The one place that decides which registrants an account may see and change (rule 4).

A university's staff see a registrant only when the registrant has a doctoral enrolment at
that university, the university cooperates, the registrant shares with their university,
and the registrant's account is neither suspended nor deleted. Administrators see everyone.
Nobody else sees anyone. Every page, export, import and message for staff goes through here,
so a change of any of these conditions takes effect on the very next request.

Writes are checked as strictly as reads: staff correct the profile and career spells of a
registrant they see (rule 7), but create and change only enrolments at their own university;
the enrolments at other universities they see read-only.

The functions here return queries, rows or None; ``jgrad.portal.loading`` turns a None into
an audited 404 for the pages. Every join these conditions need is made here, never trusted
to the caller.
"""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.extensions import db
from jgrad.registrants.models import Enrolment, Registrant
from jgrad.universities.models import University

VISIBLE_STATES = (str(AccountState.ACTIVE), str(AccountState.PENDING))


# Aliases, so that the conditions stay correct in queries that join these tables too. Made
# once: an alias copies every column of its table, a cost each list request paid again.
# Shared aliases must never correlate to an enclosing query that uses the same alias, so
# every subquery below names what it correlates to (Registrant, or nothing).
_OWNER = sa.orm.aliased(Account, name="visible_owner")
_UNIVERSITY = sa.orm.aliased(University, name="visible_university")
_ENROLMENT = sa.orm.aliased(Enrolment, name="visible_enrolment")


def _shared_with(university_id: int):
    """Conditions on Registrant, beside the enrolment: cooperation, sharing, a live account."""
    owner, university = _OWNER, _UNIVERSITY
    cooperating = sa.select(university.id).where(
        university.id == university_id, university.cooperating.is_(True)
    ).correlate(None).exists()
    active_owner = sa.select(owner.id).where(
        owner.id == Registrant.account_id, owner.state.in_(VISIBLE_STATES)
    ).correlate(Registrant).exists()
    return sa.and_(cooperating, Registrant.share_with_university.is_(True), active_owner)


def university_sees(university_id: int):
    """Return a WHERE clause on Registrant for the registrants a university may use."""
    enrolment = _ENROLMENT
    enrolled_here = sa.select(enrolment.id).where(
        enrolment.registrant_id == Registrant.id,
        enrolment.university_id == university_id,
    ).correlate(Registrant).exists()
    return sa.and_(enrolled_here, _shared_with(university_id))


def visible_condition(account):
    """Return a WHERE clause on Registrant for what ``account`` may see (false for none)."""
    if account.role == Role.ADMIN:
        return sa.true()
    if account.role != Role.STAFF or account.university_id is None:
        return sa.false()
    return university_sees(account.university_id)


def visible_registrants(account):
    """Select the registrants ``account`` may see."""
    return sa.select(Registrant).where(visible_condition(account))


def viewer(account) -> str:
    """Name what an account may list: "admin" (everyone), "staff" (one university), "nobody"."""
    if account.role == Role.ADMIN:
        return "admin"
    if account.role == Role.STAFF and account.university_id is not None:
        return "staff"
    return "nobody"


def alumni(account, *columns):
    """Select ``columns`` over the (registrant, doctoral enrolment) pairs ``account`` may list.

    Staff get their own university's enrolments of the registrants they see; the join to
    those enrolments is made here, so the enrolment condition holds by construction.
    Administrators get every enrolment.
    """
    return alumni_as(viewer(account), account.university_id, *columns)


def alumni_as(kind: str, university, *columns):
    """``alumni`` for a kind of viewer (see :func:`viewer`); ``university`` is the staff
    member's university id, or a bound parameter given it when the statement runs (a list
    built once and run for every staff member of any university)."""
    query = (sa.select(*columns).select_from(Registrant)
             .join(Enrolment, Enrolment.registrant_id == Registrant.id))
    if kind == "admin":
        return query
    if kind != "staff":
        return query.where(sa.false())
    return query.where(Enrolment.university_id == university, _shared_with(university))


def find_registrant(account, doctor_id: str) -> Registrant | None:
    """Return the registrant with this Doctor ID if ``account`` may see them."""
    return db.session.scalar(
        visible_registrants(account).where(Registrant.doctor_id == doctor_id.upper()))


def find_record(account, registrant: Registrant, model, record_id: int, *,
                writable: bool = False):
    """Return an enrolment or career spell of a registrant the account sees (None if not,
    or, with ``writable``, if the account may not change it)."""
    record = db.session.scalar(sa.select(model).where(
        model.id == record_id, model.registrant_id == registrant.id))
    if record is None or (writable and not may_write(account, record)):
        return None
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
