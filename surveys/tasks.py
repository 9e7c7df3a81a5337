"""The surveys' scheduled job: plain functions, idempotent, safe to rerun after a crash."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.extensions import db

from .invitations import count_targeted, invite
from .models import Survey, SurveyState
from .reminders import count_due, remind


def survey_invitations(now: dt.datetime, dry_run: bool = False, progress=None) -> dict:
    """Daily, for every open survey: send the reminders due, then invite whoever reached it."""
    surveys = list(db.session.scalars(
        sa.select(Survey).where(Survey.state == SurveyState.OPEN).order_by(Survey.id)))
    invited = reminded = 0
    for survey in surveys:
        if dry_run:
            invited += count_targeted(survey, now)
            reminded += count_due(survey, now)
        else:
            # Reminders first: those invited today are never due a reminder the same day.
            reminded += remind(survey, now, progress=progress)
            invited += invite(survey, now, progress=progress)
    return {"surveys": len(surveys), "invited": invited, "reminded": reminded}
