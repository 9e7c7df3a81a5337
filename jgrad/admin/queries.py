"""What the administrators' pages list and look up: universities, accounts, the audit trail."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from jgrad.accounts.models import Account, Role
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from jgrad.registrants.models import Registrant
from jgrad.universities.models import University


def universities_with_accounts() -> list:
    """Return (university, number of its accounts) for every university, by code."""
    return db.session.execute(
        sa.select(University, sa.func.count(Account.id))
        .outerjoin(Account, Account.university_id == University.id)
        .group_by(University.id).order_by(University.code)).all()


def all_universities() -> list[University]:
    """Return every university, by code."""
    return list(db.session.scalars(sa.select(University).order_by(University.code)))


def institute_accounts(*, find: str = "", university_id: int | None = None, page: int = 1,
                       size: int = 50) -> tuple[list[Account], bool]:
    """Return one page of staff, analyst and administrator accounts, by role and log-in,
    found by part of the address or log-in and by university; and whether more follow."""
    query = sa.select(Account).where(Account.role != Role.REGISTRANT)
    if find:
        query = query.where(sa.or_(Account.login.contains(find.lower(), autoescape=True),
                                   Account.email.contains(find.lower(), autoescape=True)))
    if university_id is not None:
        query = query.where(Account.university_id == university_id)
    rows = db.session.scalars(query.order_by(Account.role, Account.login, Account.id)
                              .limit(size + 1).offset((page - 1) * size)).all()
    return list(rows[:size]), len(rows) > size


def audit_events_page(args: Mapping[str, str], page: int, size: int) -> tuple[list, bool]:
    """Search the audit trail by action, actor, Doctor ID, outcome and dates (newest first);
    return one page and whether another follows."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if args.get("action"):
        query = query.where(AuditEvent.action.like(args["action"].strip()[:64] + "%"))
    if args.get("actor"):
        query = query.where(AuditEvent.actor_account_id.in_(sa.select(Account.id).where(
            sa.or_(Account.email == args["actor"].strip().lower(),
                   Account.login == args["actor"].strip().upper()))))
    if args.get("doctor_id"):
        query = query.where(AuditEvent.subject_registrant_id.in_(sa.select(Registrant.id).where(
            Registrant.doctor_id == args["doctor_id"].strip().upper())))
    if args.get("outcome") in ("success", "denied", "failure"):
        query = query.where(AuditEvent.outcome == args["outcome"])
    for name, op in (("since", ">="), ("until", "<")):
        try:
            day = dt.date.fromisoformat(args.get(name, ""))
        except ValueError:
            continue
        moment = dt.datetime.combine(day + dt.timedelta(days=1 if op == "<" else 0), dt.time(),
                                     tzinfo=dt.timezone.utc)
        query = query.where(AuditEvent.at >= moment if op == ">=" else AuditEvent.at < moment)
    events = db.session.scalars(query.limit(size + 1).offset((page - 1) * size)).all()
    return list(events[:size]), len(events) > size


def filter_problems(args: Mapping[str, str]) -> list[str]:
    """Name the audit search values that cannot be used (shown, never silently ignored)."""
    problems = []
    for name, words in (("since", _l("From")), ("until", _l("Until"))):
        if args.get(name):
            try:
                dt.date.fromisoformat(args[name])
            except ValueError:
                problems.append(str(_l("%(field)s: give a date such as 2026-04-01.",
                                       field=words)))
    if args.get("outcome") and args["outcome"] not in ("success", "denied", "failure"):
        problems.append(str(_l("Outcome: choose one from the list.")))
    return problems


def names_of(events) -> tuple[dict[int, str], dict[int, str]]:
    """Return the log-ins of the events' actors and the Doctor IDs of their subjects."""
    actors = {e.actor_account_id for e in events if e.actor_account_id}
    subjects = {e.subject_registrant_id for e in events if e.subject_registrant_id}
    logins = dict(db.session.execute(sa.select(Account.id, Account.login).where(
        Account.id.in_(actors))).all()) if actors else {}
    doctor_ids = dict(db.session.execute(sa.select(Registrant.id, Registrant.doctor_id).where(
        Registrant.id.in_(subjects))).all()) if subjects else {}
    return logins, doctor_ids


def registrant_by_doctor_id(doctor_id: str) -> Registrant | None:
    """Return the registrant with this Doctor ID (any case, spaces around ignored)."""
    return db.session.scalar(sa.select(Registrant).where(
        Registrant.doctor_id == doctor_id.strip().upper()))
