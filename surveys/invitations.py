"""Invite the people a survey targets: set-based, one INSERT per batch, mail via the outbox.

Each invitation gets a personal link secret (256 random bits); only its SHA-256 hash is
stored on the invitation, and the raw secret waits in the outbox row's ``link_secret`` until
the message is delivered (jgrad.mail). Rerunning invites nobody twice: the query leaves out
those already invited and a unique constraint holds one invitation per person and survey.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.accounts.tokens import new_secret
from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.mail.models import SECRET_SLOT

from .models import Invitation, InvitationState, Survey, SurveyState
from .targeting import targeted

INVITE_KIND = "survey_invite"
BATCH = 1000


def queue_mail(survey: Survey, template: str, kind: str, now: dt.datetime,
               people: list[tuple[str, object, str]]) -> int:
    """Queue one survey mail per (key, person row, link secret) through the bulk helper.

    The personal link and the stop link hold SECRET_SLOT; the secret waits in the outbox
    row until delivery. The survey's title is the part that changes with the language.
    """
    return mail.queue_many(
        (mail.Recipient(key=key, to=person.address, locale=person.locale,
                        account_id=person.account_id, link_secret=secret,
                        variant=(("title", survey.title(_language(person.locale))),))
         for key, person, secret in people),
        kind=kind, template=template, now=now,
        link=mail.external_url("surveys.answer", token=SECRET_SLOT),
        stop_link=mail.external_url("surveys.stop_mail", token=SECRET_SLOT),
        me_link=mail.external_url("surveys.mine"))


def _language(locale: str | None) -> str:
    return "ja" if locale == "ja" else "en"


def count_targeted(survey: Survey, now: dt.datetime) -> int:
    """Count who would be invited now (the dry run)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(targeted(survey, now).subquery())) or 0


def invite(survey: Survey, now: dt.datetime, *, batch: int = BATCH, progress=None) -> int:
    """Invite everyone the survey targets now and not yet invited; return how many.

    Each batch is committed with its mail, so a crash loses nothing half-written and a rerun
    carries on where it stopped (the job runner's lock keeps two runs from overlapping).
    """
    if survey.state != SurveyState.OPEN:
        raise ValueError(f"survey {survey.slug} is {survey.state}, not open")
    invited = 0
    # One query for everyone due; the batches below each commit, and a rerun after a crash
    # finds only those not invited yet.
    everyone = db.session.execute(targeted(survey, now)).all()
    for start in range(0, len(everyone), batch):
        people = everyone[start:start + batch]
        secrets = {person.id: new_secret() for person in people}
        db.session.execute(sa.insert(Invitation.__table__), [
            dict(survey_id=survey.id, registrant_id=person.id, token_hash=secrets[person.id][1],
                 state=str(InvitationState.INVITED), sent_count=1, reminded_count=0,
                 last_mailed_at=now, created_at=now)
            for person in people])
        ids = dict(db.session.execute(
            sa.select(Invitation.registrant_id, Invitation.id).where(
                Invitation.survey_id == survey.id,
                Invitation.registrant_id.in_([person.id for person in people]))).all())
        queue_mail(survey, "survey_invite", INVITE_KIND, now, [
            (f"survey-invite:{ids[person.id]}", person, secrets[person.id][0])
            for person in people])
        db.session.commit()
        invited += len(people)
        if progress:
            progress("invited", invited)
    return invited
