"""Rule 9: find dormant registrants, mail them, and act when they stay away or cannot be reached.

Every step is a set-based statement (or a batch of them), committed in batches, and safe to
rerun: an open episode is unique per account, and each notice has a unique outbox key.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from jgrad.accounts.models import Account, AccountState, EmailStatus, Role
from jgrad.audit import services as audit
from jgrad.db import UTCDateTime, utcnow
from jgrad.extensions import db
from jgrad.lifecycle.deletion import delete_registrants
from jgrad.lifecycle.models import DormancyEpisode, DormancyReason, EpisodeState
from jgrad.mail import services as mail
from jgrad.registrants.models import Registrant

OPEN = str(EpisodeState.OPEN)


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """Return the same instant ``years`` calendar years earlier (29 February -> 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def last_activity():
    """The last log-in, or the account's creation for one who never logged in."""
    return sa.func.coalesce(Account.last_login_at, Account.created_at)


def _settings() -> tuple[int, int, int, str]:
    config = current_app.config
    return (config["DORMANCY_YEARS"], config["DORMANCY_GRACE_DAYS"],
            config["DORMANCY_REMINDER_DAYS"], config["DORMANCY_ACTION"])


# Imported registrants stay pending until they set a password: their clock runs from the import.
COUNTED_STATES = (str(AccountState.ACTIVE), str(AccountState.PENDING))


def newly_dormant(now: dt.datetime):
    """Select active or pending registrants, without an open episode, unseen for 3 years."""
    years = _settings()[0]
    open_episode = sa.select(DormancyEpisode.id).where(
        DormancyEpisode.open_account_id == Account.id).exists()
    reason = sa.case(
        (Account.email.is_(None), str(DormancyReason.NO_EMAIL)),
        (Account.email_status == str(EmailStatus.INVALID), str(DormancyReason.INVALID_EMAIL)),
        else_=str(DormancyReason.NO_LOGIN),
    )
    return (
        sa.select(Account.id.label("account_id"), reason.label("reason"))
        .where(
            Account.role == str(Role.REGISTRANT),
            Account.state.in_(COUNTED_STATES),
            last_activity() < years_before(now, years),
            ~open_episode,
        )
    )


def open_episodes_due_action(now: dt.datetime):
    """Select open episodes whose registrant cannot be reached or let the deadline pass."""
    return (
        sa.select(DormancyEpisode.id, DormancyEpisode.account_id)
        .join(Account, Account.id == DormancyEpisode.account_id)
        .where(
            DormancyEpisode.state == OPEN,
            sa.or_(
                Account.email.is_(None),
                Account.email_status == str(EmailStatus.INVALID),
                DormancyEpisode.deadline_at <= now,
            ),
        )
    )


def _returned():
    """Open episodes of registrants who logged in after the episode began."""
    return (
        sa.select(DormancyEpisode.id)
        .join(Account, Account.id == DormancyEpisode.account_id)
        .where(DormancyEpisode.state == OPEN,
               Account.last_login_at >= DormancyEpisode.started_at)
    )


def _needing(column, now: dt.datetime, reminder: bool):
    query = (
        sa.select(DormancyEpisode.id, Account.id, Account.email, Account.locale,
                  Registrant.doctor_id, DormancyEpisode.deadline_at, Account.state)
        .join(Account, Account.id == DormancyEpisode.account_id)
        .join(Registrant, Registrant.account_id == Account.id)
        .where(DormancyEpisode.state == OPEN, column.is_(None),
               Account.email.is_not(None), Account.email_status != str(EmailStatus.INVALID),
               DormancyEpisode.deadline_at > now)
        .order_by(DormancyEpisode.id)
    )
    if reminder:
        days = _settings()[2]
        query = query.where(DormancyEpisode.notice_sent_at.is_not(None),
                            DormancyEpisode.deadline_at <= now + dt.timedelta(days=days))
    return query


def plan(now: dt.datetime) -> dict[str, int]:
    """Count what a run at ``now`` would do, writing nothing (the dry run)."""
    _, _, reminder_days, action = _settings()
    count = lambda query: db.session.scalar(  # noqa: E731
        sa.select(sa.func.count()).select_from(query.subquery()))
    selection = newly_dormant(now).subquery()
    new = dict(db.session.execute(
        sa.select(selection.c.reason, sa.func.count()).group_by(selection.c.reason)).all())
    reachable_new = new.get(str(DormancyReason.NO_LOGIN), 0)
    unreachable_new = sum(new.values()) - reachable_new
    acted = count(open_episodes_due_action(now).where(
        DormancyEpisode.id.not_in(_returned()))) + unreachable_new
    return {
        "dormant": sum(new.values()),
        "reactivated": count(_returned()),
        "notified": count(_needing(DormancyEpisode.notice_sent_at, now, False)) + reachable_new,
        "reminded": count(_needing(DormancyEpisode.reminder_sent_at, now, True))
        if reminder_days else 0,
        "suspended": acted if action == "suspend" else 0,
        "deleted": acted if action == "delete" else 0,
    }


def run(now: dt.datetime | None = None, batch: int = 1000, progress=None) -> dict[str, int]:
    """Run the daily dormancy check at ``now``; return what it did."""
    now = now or utcnow()
    _, grace_days, reminder_days, action = _settings()
    counts = {"dormant": 0, "reactivated": 0, "notified": 0, "reminded": 0, "suspended": 0,
              "deleted": 0}
    counts["reactivated"] = _close_returned(now)
    db.session.commit()
    counts["dormant"] = _open_episodes(now, grace_days)
    db.session.commit()
    counts["notified"] = _send(DormancyEpisode.notice_sent_at, "dormancy_notice", now, batch,
                               progress)
    if reminder_days:
        counts["reminded"] = _send(DormancyEpisode.reminder_sent_at, "dormancy_reminder", now,
                                   batch, progress)
    acted = _act(now, action, batch, progress)
    counts["suspended" if action == "suspend" else "deleted"] = acted
    return counts


def _close_returned(now: dt.datetime) -> int:
    ids = list(db.session.scalars(_returned()))
    if ids:
        db.session.execute(
            sa.update(DormancyEpisode).where(DormancyEpisode.id.in_(ids))
            .values(state=str(EpisodeState.ENDED), open_account_id=None, ended_at=now)
            .execution_options(synchronize_session=False))
    return len(ids)


def _open_episodes(now: dt.datetime, grace_days: int) -> int:
    selection = newly_dormant(now).subquery()
    stamp = sa.literal(now, UTCDateTime())
    deadline = sa.literal(now + dt.timedelta(days=grace_days), UTCDateTime())
    inserted = db.session.scalars(
        sa.insert(DormancyEpisode).from_select(
            ["account_id", "open_account_id", "reason", "state", "started_at", "deadline_at"],
            sa.select(selection.c.account_id, selection.c.account_id, selection.c.reason,
                      sa.literal(OPEN), stamp, deadline),
        ).returning(DormancyEpisode.id)
    ).all()
    return len(inserted)


def _send(column, template: str, now: dt.datetime, batch: int, progress) -> int:
    """Queue notices (or reminders) in batches; each batch commits with its flags set."""
    sent = 0
    login_url = mail.external_url("accounts.login")
    signup_url = mail.external_url("accounts.signup")
    while True:
        rows = db.session.execute(_needing(column, now, column is DormancyEpisode.reminder_sent_at
                                           ).limit(batch)).all()
        if not rows:
            return sent
        mail.queue_many(
            # One who never set a password (imported, pending) is sent to get a link for it.
            (mail.Recipient(key=f"{template}:{episode_id}", to=email, locale=locale or "en",
                            account_id=account_id,
                            variant=(("pending", state == str(AccountState.PENDING)),),
                            fill={"doctor_id": doctor_id,
                                  "deadline": deadline.date().isoformat()})
             for episode_id, account_id, email, locale, doctor_id, deadline, state in rows),
            kind=template, template=template, now=now, login_url=login_url,
            signup_url=signup_url)
        db.session.execute(
            sa.update(DormancyEpisode).where(DormancyEpisode.id.in_([r[0] for r in rows]))
            .values({column.key: now}).execution_options(synchronize_session=False))
        db.session.commit()
        sent += len(rows)
        if progress:
            progress(template, sent)


def _act(now: dt.datetime, action: str, batch: int, progress) -> int:
    """Suspend or delete, batch by batch, those whose episodes call for it."""
    done = 0
    while True:
        rows = db.session.execute(open_episodes_due_action(now).limit(batch)).all()
        if not rows:
            return done
        episode_ids = [r[0] for r in rows]
        account_ids = [r[1] for r in rows]
        db.session.execute(
            sa.update(DormancyEpisode).where(DormancyEpisode.id.in_(episode_ids))
            .values(state=str(EpisodeState.ACTIONED), open_account_id=None, ended_at=now,
                    action="suspended" if action == "suspend" else "deleted")
            .execution_options(synchronize_session=False))
        owners = dict(db.session.execute(sa.select(Registrant.account_id, Registrant.id).where(
            Registrant.account_id.in_(account_ids))).all())
        if action == "suspend":
            Account.suspend_many(account_ids, reason="dormancy", now=now, subjects=owners)
        else:
            delete_registrants(list(owners.values()), "dormancy", now)
        db.session.commit()
        done += len(rows)
        if progress:
            progress(action, done)


def end_dormancy(account: Account, now: dt.datetime | None = None) -> bool:
    """Close the open episode of an account whose owner just logged in."""
    now = now or utcnow()
    episode = db.session.scalar(
        sa.select(DormancyEpisode).where(DormancyEpisode.open_account_id == account.id))
    if episode is None:
        return False
    episode.state = EpisodeState.ENDED
    episode.open_account_id = None
    episode.ended_at = now
    audit.record("dormancy.ended", account=account, object_type="account", object_id=account.id,
                 subject_registrant_id=account.registrant.id if account.registrant else None)
    return True
