"""Figures for the administrators' lifecycle dashboard, each one query."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.extensions import db
from jgrad.lifecycle.dormancy import COUNTED_STATES, last_activity, years_before
from jgrad.lifecycle.models import DormancyEpisode, EpisodeState
from jgrad.mail.models import DeliveryState, OutboxMessage
from jgrad.registrants.history import DeletionRequest, DeletionRequestState
from jgrad.registrants.models import Registrant


def state_counts() -> dict[str, int]:
    """Registrant accounts per state, with the suspended split by reason."""
    rows = db.session.execute(
        sa.select(Account.state, Account.state_reason, sa.func.count())
        .where(Account.role == Role.REGISTRANT)
        .group_by(Account.state, Account.state_reason)
    ).all()
    counts: dict[str, int] = {}
    for state, reason, number in rows:
        key = f"{state} ({reason})" if state == AccountState.SUSPENDED and reason else str(state)
        counts[key] = counts.get(key, 0) + number
    counts["dormant (open episodes)"] = db.session.scalar(
        sa.select(sa.func.count()).where(DormancyEpisode.state == str(EpisodeState.OPEN)))
    return counts


def next_30_days(now: dt.datetime, years: int) -> dict[str, int]:
    """What the coming month brings: new dormancy, dormancy deadlines, deletion deadlines."""
    horizon = now + dt.timedelta(days=30)
    becoming = db.session.scalar(sa.select(sa.func.count()).where(
        Account.role == Role.REGISTRANT, Account.state.in_(COUNTED_STATES),
        last_activity() >= years_before(now, years),
        last_activity() < years_before(horizon, years)))
    deadlines = db.session.scalar(sa.select(sa.func.count()).where(
        DormancyEpisode.state == str(EpisodeState.OPEN), DormancyEpisode.deadline_at <= horizon))
    deletions = db.session.scalar(sa.select(sa.func.count()).where(
        DeletionRequest.state == str(DeletionRequestState.PENDING),
        DeletionRequest.due_at <= horizon))
    return {"becoming dormant": becoming, "dormancy deadlines": deadlines,
            "deletions due": deletions}


def deletion_queue(limit: int = 200):
    """Pending deletion requests, soonest deadline first."""
    return db.session.execute(
        sa.select(DeletionRequest, Registrant.doctor_id)
        .join(Registrant, Registrant.id == DeletionRequest.registrant_id)
        .where(DeletionRequest.state == str(DeletionRequestState.PENDING))
        .order_by(DeletionRequest.due_at).limit(limit)
    ).all()


def troubled_mail(limit: int = 50) -> list[OutboxMessage]:
    """Failed messages and pending ones that have been retried (stuck)."""
    return list(db.session.scalars(
        sa.select(OutboxMessage)
        .where(sa.or_(OutboxMessage.state == str(DeliveryState.FAILED),
                      sa.and_(OutboxMessage.state == str(DeliveryState.PENDING),
                              OutboxMessage.attempts > 0)))
        .order_by(OutboxMessage.id.desc()).limit(limit)))
