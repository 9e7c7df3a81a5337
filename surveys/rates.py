"""Response rates per survey as AAPOR RR1 and RR2, by university, completion cohort and field.

Every invited person is counted as eligible (the population rule decided eligibility):
RR1 = complete / invited, RR2 = (complete + partial) / invited, where a partial response
saved at least one page and a complete one was submitted. Each person counts once, under
their doctoral enrolment that completed last (or began last, if none completed). Staff see
only their own university's alumni, through the access layer, grouped by their enrolments
there.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from jgrad.accounts.models import Role
from jgrad.extensions import db
from jgrad.portal.access import visible_condition
from jgrad.registrants.models import Enrolment, Registrant

from .models import Invitation, InvitationState, Survey

DIMENSIONS = ("university", "cohort", "field")


@dataclass
class Rate:
    group: object
    invited: int = 0
    partial: int = 0
    complete: int = 0

    @property
    def rr1(self) -> float | None:
        return self.complete / self.invited if self.invited else None

    @property
    def rr2(self) -> float | None:
        return (self.complete + self.partial) / self.invited if self.invited else None

    def add(self, state: InvitationState) -> None:
        self.invited += 1
        if state == InvitationState.SUBMITTED:
            self.complete += 1
        elif state == InvitationState.STARTED:
            self.partial += 1


def fiscal_year(day: dt.date | None) -> int | None:
    """Return the Japanese fiscal year (April to March) of a date."""
    if day is None:
        return None
    return day.year if day.month >= 4 else day.year - 1


def visible_surveys(account) -> list[Survey]:
    """Return the surveys whose rates an account may see: all for the institute; for staff,
    the institute's surveys and their own university's."""
    query = sa.select(Survey).order_by(Survey.created_at, Survey.id)
    if account.role != Role.ADMIN:
        query = query.where(sa.or_(Survey.owner_university_id.is_(None),
                                   Survey.owner_university_id == account.university_id))
    return list(db.session.scalars(query))


def _enrolment_rank(enrolment) -> tuple:
    return (enrolment.status_date is not None, enrolment.status_date or dt.date.min,
            enrolment.entry_date, enrolment.id)


def rates(survey: Survey, account) -> tuple[Rate, dict[str, list[Rate]]]:
    """Return the overall rate and the rates by each dimension that ``account`` may see."""
    query = (sa.select(Invitation.registrant_id, Invitation.state, Enrolment)
             .join(Registrant, Registrant.id == Invitation.registrant_id)
             .join(Enrolment, Enrolment.registrant_id == Registrant.id)
             .where(Invitation.survey_id == survey.id, visible_condition(account)))
    if account.role != Role.ADMIN:
        query = query.where(Enrolment.university_id == account.university_id)
    chosen: dict[int, tuple] = {}
    for registrant_id, state, enrolment in db.session.execute(query):
        best = chosen.get(registrant_id)
        if best is None or _enrolment_rank(enrolment) > _enrolment_rank(best[1]):
            chosen[registrant_id] = (state, enrolment)
    total = Rate("total")
    groups: dict[str, dict] = {name: defaultdict(lambda: None) for name in DIMENSIONS}
    for state, enrolment in chosen.values():
        total.add(state)
        keys = {"university": enrolment.university_id,
                "cohort": fiscal_year(enrolment.status_date), "field": enrolment.field}
        for name, key in keys.items():
            rate = groups[name][key] or Rate(key)
            rate.add(state)
            groups[name][key] = rate
    ordered = {name: sorted((r for r in groups[name].values()),
                            key=lambda r: (r.group is None, str(r.group)))
               for name in DIMENSIONS}
    return total, ordered
