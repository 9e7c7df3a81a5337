"""Remind those who have not submitted: at most N times, at least D days apart (per survey).

Only the hash of a personal link is stored, so a reminder carries a new link and the older
one stops opening (the generic link message); the answers saved so far stay with the
invitation. Those who started get a different text from those who have not.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.accounts.models import Account
from jgrad.accounts.tokens import new_secret
from jgrad.extensions import db
from jgrad.portal.access import VISIBLE_STATES, university_sees
from jgrad.registrants.models import Registrant

from .invitations import BATCH, queue_mail
from .models import Invitation, InvitationState, Survey, SurveyState
from .targeting import accepts_survey_mail, address_column

REMIND_KIND = "survey_reminder"


def due(survey: Survey, now: dt.datetime):
    """Select the invitations of ``survey`` due a reminder now, with address and language."""
    address = address_column()
    query = (
        sa.select(Invitation.id, Invitation.state, Invitation.reminded_count,
                  Registrant.id.label("registrant_id"), Account.id.label("account_id"),
                  address.label("address"), Account.locale)
        .join(Registrant, Registrant.id == Invitation.registrant_id)
        .join(Account, Account.id == Registrant.account_id)
        .where(Invitation.survey_id == survey.id,
               Invitation.state != InvitationState.SUBMITTED,
               Invitation.reminded_count < survey.max_reminders,
               Invitation.last_mailed_at <= now - dt.timedelta(days=survey.reminder_gap_days),
               Account.state.in_(VISIBLE_STATES), Registrant.accept_contact.is_(True),
               accepts_survey_mail(), address.is_not(None), Account.email_status != "invalid")
        .order_by(Invitation.id)
    )
    if survey.owner_university_id is not None:
        query = query.where(university_sees(survey.owner_university_id))
    return query


def count_due(survey: Survey, now: dt.datetime) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(due(survey, now).subquery())) or 0


def remind(survey: Survey, now: dt.datetime, *, batch: int = BATCH, progress=None) -> int:
    """Send the reminders due now for an open survey; return how many were queued."""
    if survey.state != SurveyState.OPEN:
        raise ValueError(f"survey {survey.slug} is {survey.state}, not open")
    reminded = 0
    while True:
        rows = db.session.execute(due(survey, now).limit(batch)).all()
        if not rows:
            return reminded
        secrets = {row.id: new_secret() for row in rows}
        table = Invitation.__table__
        db.session.execute(
            table.update().where(table.c.id == sa.bindparam("invitation_id")).values(
                token_hash=sa.bindparam("new_hash"),
                reminded_count=table.c.reminded_count + 1,
                sent_count=table.c.sent_count + 1, last_mailed_at=now),
            [{"invitation_id": row.id, "new_hash": secrets[row.id][1]} for row in rows])
        for started in (True, False):  # partial respondents get their own text
            queue_mail(survey, "survey_reminder_started" if started else "survey_reminder",
                       REMIND_KIND, now, [
                           (f"survey-remind:{row.id}:{row.reminded_count + 1}", row,
                            secrets[row.id][0])
                           for row in rows if (row.state == InvitationState.STARTED) == started])
        db.session.commit()
        reminded += len(rows)
        if progress:
            progress("reminded", reminded)
