"""Time inviting N registrants to a survey against a bulk insert of the same rows.

Builds N synthetic registrants in a scratch database, opens the example career survey for
everyone with a completed doctorate, then times `surveys.invitations.invite` (the targeting
query, token generation, one INSERT per batch into invitations and one into the outbox) and,
after rolling its rows back, a plain bulk insert of the same invitation and outbox rows.
Reports both and their ratio through ``measure`` (aim: inviting 100,000 well under a minute,
ratio at most 2). Each runs once: the first leaves the rows the second is timed against.
"""
from __future__ import annotations

import argparse
import hashlib
import secrets
import time
from importlib import resources

import sqlalchemy as sa

from jgrad.db import utcnow
from jgrad.demo.generate import create_registrants, ensure_role_accounts, ensure_universities
from jgrad.extensions import db
from jgrad.mail.models import OutboxMessage
from measure import report
from scratch import scratch_app


def _survey():
    from surveys import load_json, services
    from surveys.targeting import Rule

    text = resources.files("surveys").joinpath("examples/career_wave.json").read_text("utf-8")
    survey, _ = services.store(load_json(text))
    services.set_targeting(survey, Rule(statuses=("degree_awarded", "completed_without_degree")))
    survey.open()
    db.session.commit()
    return survey


def _bulk(survey, people, now) -> float:
    from surveys.models import Invitation

    started = time.perf_counter()
    for start in range(0, len(people), 1000):
        batch = people[start:start + 1000]
        raws = [secrets.token_urlsafe(32) for _ in batch]
        db.session.execute(sa.insert(Invitation.__table__), [
            dict(survey_id=survey.id, registrant_id=p.id, state="invited", sent_count=1,
                 reminded_count=0, last_mailed_at=now, created_at=now,
                 token_hash=hashlib.sha256(raw.encode()).hexdigest())
            for p, raw in zip(batch, raws)])
        db.session.execute(sa.insert(OutboxMessage.__table__), [
            dict(key=f"bench:{p.id}", kind="bench", account_id=p.account_id, to_address=p.address,
                 subject="s", body_text="b", link_secret=raw, state="pending", attempts=0,
                 next_attempt_at=now, created_at=now)
            for p, raw in zip(batch, raws)])
        db.session.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    from surveys.invitations import invite
    from surveys.models import Invitation
    from surveys.targeting import targeted

    with scratch_app(args.database_url, SERVER_NAME_FOR_MAIL="http://bench") as (app, url, _):
        ensure_role_accounts(ensure_universities())
        db.session.commit()
        create_registrants(args.registrants)
        survey = _survey()
        now = utcnow()
        started = time.perf_counter()
        people = db.session.execute(targeted(survey, now)).all()
        query = time.perf_counter() - started
        started = time.perf_counter()
        invited = invite(survey, now)
        ours = time.perf_counter() - started
        db.session.execute(sa.delete(OutboxMessage))
        db.session.execute(sa.delete(Invitation))
        db.session.commit()
        plain = _bulk(survey, people, now)
    print(f"database: {url.split(':')[0]}; {args.registrants:,} registrants, "
          f"{invited:,} invited; targeting query alone {query:.2f} s")
    report("survey_invitations", "inviting everyone targeted", ours, plain,
           n=args.registrants, database_url=args.database_url, unit="s",
           aim="100,000 well under 60 s; ratio <= 2", extra={"invited": invited})

if __name__ == "__main__":
    main()
