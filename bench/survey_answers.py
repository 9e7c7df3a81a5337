"""A closed copy of the example career survey with N bulk-inserted responses (benchmarks)."""
from __future__ import annotations

import json
import random
import secrets
from dataclasses import replace
from importlib import resources

import sqlalchemy as sa

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.registrants.models import Registrant
from surveys import load_json, services
from surveys.model import Text
from surveys.models import Invitation, Response

BATCH = 10_000
SLUG = "career-wave-bench"


def _answers(definition, rng: random.Random) -> dict:
    """Return one plausible set of stored answers: most coded items answered, some left."""
    out = {}
    for question in definition.questions():
        item = question.item
        if rng.random() < 0.15:
            continue  # unanswered: the coder evaluates its conditions
        if item.type in ("select_one", "likert", "matrix"):
            out[question.name] = rng.choice(sorted(definition.choice_list(item.choices).codes()))
        elif item.type == "select_multiple":
            codes = sorted(definition.choice_list(item.choices).codes())
            out[question.name] = rng.sample(codes, rng.randint(1, 2))
        elif item.type == "country":
            out[question.name] = "JP" if rng.random() < 0.85 else "US"
        elif item.type in ("integer", "decimal"):
            out[question.name] = rng.randint(0, 20)
        elif item.type in ("text", "long_text"):
            out[question.name] = "free text never published"
    return out


def add_closed_survey(respondents: int, seed: int = 11) -> int:
    """Store, open and close the example survey with ``respondents`` submitted responses."""
    text = resources.files("surveys").joinpath("examples/career_wave.json").read_text("utf-8")
    definition = replace(load_json(text), slug=SLUG,
                         title=Text(en="Career survey (benchmark)", ja="キャリア調査（計測用）"))
    survey, version = services.store(definition)
    survey.open()
    db.session.commit()
    rng = random.Random(seed)
    ids = list(db.session.scalars(sa.select(Registrant.id).order_by(Registrant.id)))
    chosen = rng.sample(ids, respondents)
    now = utcnow()
    for start in range(0, len(chosen), BATCH):
        people = chosen[start:start + BATCH]
        db.session.execute(sa.insert(Invitation.__table__), [
            dict(survey_id=survey.id, registrant_id=pid, token_hash=secrets.token_hex(32),
                 state="submitted", sent_count=1, reminded_count=0, last_mailed_at=now,
                 created_at=now, submitted_at=now) for pid in people])
        invitation_of = dict(db.session.execute(sa.select(
            Invitation.registrant_id, Invitation.id).where(
                Invitation.survey_id == survey.id, Invitation.registrant_id.in_(people))).all())
        db.session.execute(sa.insert(Response.__table__), [
            dict(invitation_id=invitation_of[pid], registrant_id=pid,
                 survey_version_id=version.id, answers_json=json.dumps(_answers(definition, rng)),
                 page_reached=len(definition.pages), submitted_at=now, updated_at=now, version=1)
            for pid in people])
        db.session.commit()
    survey.close()
    db.session.commit()
    return respondents
