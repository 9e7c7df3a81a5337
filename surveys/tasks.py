"""The surveys' scheduled job: plain functions, idempotent, safe to rerun after a crash."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.extensions import db

from .invitations import count_targeted, invite
from .models import Survey, SurveyState


def survey_invitations(now: dt.datetime, dry_run: bool = False, progress=None) -> dict:
    """Daily: invite, for every open survey, whoever reached it since the last run."""
    surveys = list(db.session.scalars(
        sa.select(Survey).where(Survey.state == SurveyState.OPEN).order_by(Survey.id)))
    invited = 0
    for survey in surveys:
        invited += (count_targeted(survey, now) if dry_run
                    else invite(survey, now, progress=progress))
    return {"surveys": len(surveys), "invited": invited}
