"""Demo data: the example career wave, loaded, opened, sent, and partly answered.

Beside it, a closed earlier round of the same questionnaire (sent to every completer and
closed once answered), so that the statistics catalogue shows survey tables: only closed
surveys join a release.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from importlib import resources

import sqlalchemy as sa

from jgrad.extensions import db

from . import responding, services
from .answers import visible
from .definition import load_json
from .invitations import invite
from .model import Question, Text
from .models import Invitation, Survey
from .targeting import Rule

EXAMPLE = "examples/career_wave.json"
# Everyone who completed within about a year of the 18-month mark, so the demo has figures.
DEMO_RULE = Rule(wave_months=18, window_days=183)
# The closed round: every completer was asked, and most answered.
CLOSED_SLUG = "career-wave-2025"
CLOSED_TITLE = Text(ja="博士人材キャリア追跡調査（2025年度・終了）",
                    en="Doctoral career tracking survey (2025 round, closed)")
CLOSED_RULE = Rule(statuses=("degree_awarded", "completed_without_degree"))


@dataclass
class DemoSurveySummary:
    invited: int = 0
    complete: int = 0
    partial: int = 0


def _raw(question: Question, definition, rng: random.Random):
    """Return a plausible raw answer (as a form sends it) and its typed value."""
    item = question.item
    if item.type in ("select_one", "likert", "matrix"):
        code = rng.choice(sorted(definition.choice_list(item.choices).codes()))
        return str(code), code
    if item.type == "select_multiple":
        codes = rng.sample(sorted(definition.choice_list(item.choices).codes()), 2)
        return [str(c) for c in codes], frozenset(codes)
    if item.type in ("integer", "decimal"):
        low = int(item.minimum) if item.minimum is not None else 0
        high = int(item.maximum) if item.maximum is not None else low + 5
        value = rng.randint(low, min(high, low + 40))
        return str(value), value
    if item.type == "date":
        return "2026-03-31", dt.date(2026, 3, 31)
    if item.type == "year_month":
        return "2023-04", "2023-04"
    if item.type == "country":
        return "JP", "JP"
    return "", None  # free text is left empty in demo answers


def _answer_pages(invitation: Invitation, now: dt.datetime, rng: random.Random,
                  pages: int | None) -> bool:
    """Answer the first ``pages`` shown pages (all when None); False if a page was refused."""
    response = responding.response_for(invitation, now)
    definition = responding.definition_of(response)
    done = 0
    while pages is None or done < pages:
        answers = response.typed_answers(definition)
        shown = responding.shown_pages(definition, answers)
        names = [p.name for p in definition.pages]
        page = next((p for p in shown if names.index(p.name) >= response.page_reached), None)
        if page is None:
            return True
        raw, context = {}, dict(answers)
        for question in definition.questions(page):
            if visible(question, context):
                raw[question.name], context[question.name] = _raw(question, definition, rng)
            else:  # as the server reads the page: a hidden question has no answer
                context[question.name] = None
        result = responding.save_page(invitation, response, page, raw, response.version,
                                      lang="en", now=now)
        if not result.ok:
            return False
        done += 1
    return True


def _load(slug: str | None = None, title: Text | None = None):
    """Return the example definition (under another slug and title when given)."""
    text = resources.files("surveys").joinpath(EXAMPLE).read_text("utf-8")
    definition = load_json(text)
    if slug is not None:
        definition = replace(definition, slug=slug, title=title)
    if db.session.scalar(sa.select(Survey.id).where(Survey.slug == definition.slug)):
        return None
    return definition


def _run(definition, rule: Rule, now: dt.datetime, rng: random.Random, complete: float,
         partial: float) -> tuple[Survey, DemoSurveySummary]:
    """Store, open and send a survey; answer it fully for a share, one page for another."""
    survey, _version = services.store(definition)
    services.set_targeting(survey, rule, max_reminders=2, reminder_gap_days=14)
    survey.open()
    db.session.commit()
    summary = DemoSurveySummary(invited=invite(survey, now))
    invitations = db.session.scalars(
        sa.select(Invitation).where(Invitation.survey_id == survey.id).order_by(Invitation.id))
    for invitation in invitations:
        draw = rng.random()
        if draw < complete:
            if _answer_pages(invitation, now, rng, None):
                responding.submit(invitation, responding.response_for(invitation, now),
                                  update_career=False, now=now)
                summary.complete += 1
        elif draw < complete + partial:
            if _answer_pages(invitation, now, rng, 1):
                summary.partial += 1
    db.session.commit()
    return survey, summary


def demo_survey(now: dt.datetime, *, seed: int = 2026) -> DemoSurveySummary | None:
    """Load, open and send the example survey, and answer it for some; None if it exists."""
    definition = _load()
    if definition is None:
        return None
    return _run(definition, DEMO_RULE, now, random.Random(seed), 0.45, 0.15)[1]


def demo_closed_survey(now: dt.datetime, *, seed: int = 2025) -> DemoSurveySummary | None:
    """Run an earlier round of the example survey to its close; None if it exists."""
    definition = _load(CLOSED_SLUG, CLOSED_TITLE)
    if definition is None:
        return None
    earlier = now - dt.timedelta(days=1)  # answered and closed before today's release
    survey, summary = _run(definition, CLOSED_RULE, earlier, random.Random(seed), 0.7, 0.1)
    survey.close()
    db.session.commit()
    return summary
