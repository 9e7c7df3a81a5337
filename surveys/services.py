"""Survey operations: store a definition, find surveys, change their state and targeting."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.audit import services as audit
from jgrad.extensions import db

from .dump import to_json
from .model import Survey as Definition
from .models import Survey, SurveyState, SurveyVersion
from .targeting import Rule


class SurveyNotFound(LookupError):
    """No survey has this slug."""


def find(slug: str) -> Survey:
    """Return the survey with this slug, or raise SurveyNotFound."""
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise SurveyNotFound(slug)
    return survey


def all_surveys() -> list[Survey]:
    return list(db.session.scalars(sa.select(Survey).order_by(Survey.created_at, Survey.id)))


def store(definition: Definition, *, by=None) -> tuple[Survey, SurveyVersion | None]:
    """Store a definition: a new survey, or a new version of the survey with its slug.

    Returns the survey and the version added (None when the definition was unchanged).
    A stored version is never changed, so answers always know what they answered.
    """
    text = to_json(definition)
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == definition.slug))
    if survey is None:
        survey = Survey(slug=definition.slug, title_en=definition.title.get("en"),
                        title_ja=definition.title.get("ja"), targeting={})
        db.session.add(survey)
        db.session.flush()
        audit.record("survey.created", account=by, object_type="survey", object_id=survey.id,
                     details={"slug": survey.slug})
    else:
        survey.title_en = definition.title.get("en")
        survey.title_ja = definition.title.get("ja")
    return survey, survey.add_version(text, by=by)


def load_plan(definition: Definition) -> tuple[str, Survey | None]:
    """Say what storing a definition would do: "new", "version", "unchanged" or "closed"."""
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == definition.slug))
    if survey is None:
        return "new", None
    if survey.state == SurveyState.CLOSED:
        return "closed", survey
    if survey.current_version.definition_json == to_json(definition):
        return "unchanged", survey
    return "version", survey


def load_file(definition: Definition, *, fmt: str, file_name: str, skipped=(),
              by=None) -> tuple[Survey, SurveyVersion | None]:
    """Store a definition read from a file and audit the load (who, which file, what skipped).

    Raises InvalidTransition when the survey with its slug is closed; nothing is stored then.
    """
    survey, version = store(definition, by=by)
    audit.record("survey.definition_loaded", account=by, object_type="survey",
                 object_id=survey.id,
                 details={"slug": survey.slug, "format": fmt, "file": file_name[:200],
                          "version": version.number if version else None,
                          "skipped": [problem.where for problem in skipped]})
    return survey, version


def export_responses(survey: Survey, fmt: str, *, account=None):
    """Build a survey's dataset for export and audit it: one event, one per person in it."""
    from jgrad.db import utcnow

    from .export import dataset

    data = dataset(survey)
    audit.record("survey.responses_exported", account=account, object_type="survey",
                 object_id=survey.id, details={"slug": survey.slug, "format": fmt,
                                               "rows": len(data.rows)})
    audit.record_many("record.exported", object_type="survey_response",
                      object_ids=[row[0] for row in data.rows],
                      subject_registrant_ids=data.registrant_ids, at=utcnow(),
                      details={"survey": survey.slug, "format": fmt}, account=account)
    return data


def set_targeting(survey: Survey, rule: Rule, *, owner_university_id: int | None = None,
                  max_reminders: int | None = None, reminder_gap_days: int | None = None,
                  by=None) -> None:
    """Set who a survey targets and how it reminds; only while it is a draft."""
    if survey.state != SurveyState.DRAFT:
        raise ValueError("the population of an open or closed survey does not change")
    survey.targeting = rule.to_dict()
    survey.owner_university_id = owner_university_id
    if max_reminders is not None:
        survey.max_reminders = max_reminders
    if reminder_gap_days is not None:
        survey.reminder_gap_days = reminder_gap_days
    audit.record("survey.targeting_set", account=by, object_type="survey", object_id=survey.id,
                 details={"slug": survey.slug, "rule": survey.targeting,
                          "owner_university_id": owner_university_id})


def accepts_survey_mail(registrant_id: int) -> bool:
    """Tell whether the registrant's latest survey-mail choice is yes (no choice: yes)."""
    from .models import SurveyMailChoice

    latest = db.session.scalar(
        sa.select(SurveyMailChoice.accept).where(SurveyMailChoice.registrant_id == registrant_id)
        .order_by(SurveyMailChoice.id.desc()).limit(1))
    return latest is None or latest


def set_survey_mail(registrant_id: int, accept: bool, *, via: str, account=None) -> bool:
    """Record a survey-mail choice in its history; False when it changes nothing."""
    from .models import SurveyMailChoice

    if accepts_survey_mail(registrant_id) == accept:
        return False
    db.session.add(SurveyMailChoice(registrant_id=registrant_id, accept=accept, via=via))
    audit.record("survey.mail_" + ("accepted" if accept else "stopped"), account=account,
                 object_type="registrant", object_id=registrant_id,
                 subject_registrant_id=registrant_id, details={"via": via})
    return True
