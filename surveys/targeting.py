"""Who a survey targets: a rule over registrant data, turned into one set-based query.

A wave survey (``wave_months``) targets each person when *they* reach the wave: their
doctoral completion date (the status date of a completed enrolment) plus the wave's months,
give or take ``window_days``. Nobody who refuses contact or survey mail, has no usable
address, or whose account is suspended or deleted is ever targeted; a university's survey
reaches only the alumni the access layer lets that university see (jgrad.portal.access).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from jgrad.accounts.models import Account
from jgrad.portal.access import VISIBLE_STATES, university_sees
from jgrad.registrants.models import Enrolment, Registrant
from jgrad.registry import TIMEZONE

COMPLETED = ("degree_awarded", "completed_without_degree")


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` later (earlier when negative), clamped to month end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def local_day(now: dt.datetime) -> dt.date:
    """Return the date in Japan at the moment ``now`` (waves count days there)."""
    return now.astimezone(ZoneInfo(TIMEZONE)).date()


@dataclass(frozen=True)
class Rule:
    """A survey's population; every field left empty places no condition."""

    wave_months: int | None = None
    window_days: int = 30
    fiscal_years: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    university_ids: tuple[int, ...] = ()

    @classmethod
    def from_dict(cls, data: dict | None) -> "Rule":
        data = dict(data or {})
        for name in ("fiscal_years", "statuses", "fields", "university_ids"):
            data[name] = tuple(data.get(name) or ())
        return cls(**data)

    def to_dict(self) -> dict:
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in asdict(self).items()}

    def enrolment_conditions(self, today: dt.date) -> list:
        """Return the conditions one enrolment must meet (the wave timing included)."""
        conditions = []
        statuses = self.statuses or (COMPLETED if self.wave_months is not None else ())
        if statuses:
            conditions.append(Enrolment.status.in_(list(statuses)))
        if self.fields:
            conditions.append(Enrolment.field.in_(list(self.fields)))
        if self.university_ids:
            conditions.append(Enrolment.university_id.in_(list(self.university_ids)))
        if self.fiscal_years:  # the Japanese fiscal year of completion: April to March
            conditions.append(sa.or_(*(
                Enrolment.status_date.between(dt.date(year, 4, 1), dt.date(year + 1, 3, 31))
                for year in self.fiscal_years)))
        if self.wave_months is not None:
            reached = add_months(today, -self.wave_months)
            window = dt.timedelta(days=self.window_days)
            conditions.append(Enrolment.status_date.between(reached - window, reached + window))
        return conditions


def address_column():
    """The address survey mail goes to: the contact address, else the log-in address."""
    return sa.func.coalesce(Registrant.contact_email, Account.email)


def accepts_survey_mail():
    """Return a condition on Registrant: their latest survey-mail choice (if any) is yes."""
    from .models import SurveyMailChoice

    latest = (sa.select(SurveyMailChoice.accept)
              .where(SurveyMailChoice.registrant_id == Registrant.id)
              .order_by(SurveyMailChoice.id.desc()).limit(1)
              .correlate(Registrant).scalar_subquery())
    return sa.func.coalesce(latest, sa.true()) == sa.true()


def targeted(survey, now: dt.datetime):
    """Select (registrant id, account id, address, locale) of the people ``survey`` targets now.

    Those already invited to it are left out, so running this again invites nobody twice.
    """
    from .models import Invitation

    rule = Rule.from_dict(survey.targeting)
    address = address_column()
    matching_enrolment = sa.select(Enrolment.id).where(
        Enrolment.registrant_id == Registrant.id, *rule.enrolment_conditions(local_day(now))
    ).correlate(Registrant).exists()
    invited = sa.select(Invitation.id).where(
        Invitation.survey_id == survey.id, Invitation.registrant_id == Registrant.id
    ).correlate(Registrant).exists()
    query = (
        sa.select(Registrant.id, Account.id.label("account_id"), address.label("address"),
                  Account.locale)
        .join(Account, Account.id == Registrant.account_id)
        .where(Account.state.in_(VISIBLE_STATES), Registrant.accept_contact.is_(True),
               accepts_survey_mail(), address.is_not(None), Account.email_status != "invalid",
               matching_enrolment, ~invited)
    )
    if survey.owner_university_id is not None:
        query = query.where(university_sees(survey.owner_university_id))
    return query.order_by(Registrant.id)
