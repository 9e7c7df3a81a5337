"""Answering: find an invitation by its link, save pages, submit, write back the career."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from jgrad.actors import Actor
from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.registrants import services as records
from jgrad.registrants.models import CareerSpell, Registrant

from . import career
from .answers import PageResult, validate_page, visible
from .model import Page, Survey as Definition
from .models import Invitation, InvitationState, Response, Survey, SurveyState


class StaleSave(Exception):
    """A page was sent from a form opened before the response's last save."""


class NotAnswerable(Exception):
    """The survey is closed or the invitation already submitted: nothing more is taken."""


def invitation_for_token(raw: str | None) -> Invitation | None:
    """Return the invitation a personal link opens, or None for any bad link."""
    if not raw or len(raw) > 128:
        return None
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    return db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == digest))


def invitation_of(registrant: Registrant, invitation_id: int) -> Invitation | None:
    """Return one of the registrant's own invitations, or None."""
    return db.session.scalar(sa.select(Invitation).where(
        Invitation.id == invitation_id, Invitation.registrant_id == registrant.id))


def open_invitations(registrant: Registrant) -> list[Invitation]:
    """Return the registrant's invitations to open surveys they have not submitted."""
    return list(db.session.scalars(
        sa.select(Invitation).join(Survey, Survey.id == Invitation.survey_id)
        .where(Invitation.registrant_id == registrant.id, Survey.state == SurveyState.OPEN,
               Invitation.state != InvitationState.SUBMITTED)
        .order_by(Invitation.created_at)))


def current_spell(registrant_id: int) -> CareerSpell | None:
    """Return the registrant's current career spell (open-ended, latest start)."""
    return db.session.scalar(
        sa.select(CareerSpell).where(CareerSpell.registrant_id == registrant_id,
                                     CareerSpell.end_month.is_(None))
        .order_by(CareerSpell.start_month.desc(), CareerSpell.id.desc()).limit(1))


def response_for(invitation: Invitation, now: dt.datetime) -> Response:
    """Return the invitation's response, starting one (career block prefilled) if none."""
    return opened_response(invitation, now)[0]


def opened_response(invitation: Invitation, now: dt.datetime) -> tuple[Response, bool]:
    """Return the invitation's response and whether it was started just now (unsaved)."""
    response = db.session.scalar(
        sa.select(Response).where(Response.invitation_id == invitation.id))
    if response is not None:
        return response, False
    version = invitation.survey.current_version
    spell = current_spell(invitation.registrant_id)
    start = {}
    if spell is not None:
        start = career.prefill(version.definition(), {
            name: getattr(spell, name) for name in
            (field.column for field in career.FIELDS.values())})
    response = Response(invitation_id=invitation.id, registrant_id=invitation.registrant_id,
                        survey_version_id=version.id, answers_json=_dump(start),
                        page_reached=0, updated_at=now)
    db.session.add(response)
    db.session.flush()
    return response, True


def definition_of(response: Response) -> Definition:
    from .models import SurveyVersion

    return db.session.get(SurveyVersion, response.survey_version_id).definition()


def shown_pages(definition: Definition, answers: dict) -> list[Page]:
    """Return the pages whose own condition holds for the answers so far."""
    from .evaluate import evaluate

    return [page for page in definition.pages
            if page.relevant is None or evaluate(page.relevant.tree, answers)]


def _plain(value):
    """Turn a typed answer into JSON: choices as sorted code lists, decimals as numbers."""
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value)
    if isinstance(value, Decimal):
        return float(value)
    return str(value)  # dates


def _dump(answers: dict) -> str:
    return json.dumps(answers, ensure_ascii=False, sort_keys=True, default=_plain)


def _check_answerable(invitation: Invitation) -> None:
    if invitation.survey.state != SurveyState.OPEN or invitation.state == InvitationState.SUBMITTED:
        raise NotAnswerable()


def save_page(invitation: Invitation, response: Response, page: Page, raw: dict,
              form_version: int | None, *, lang: str, now: dt.datetime) -> PageResult:
    """Validate and save one page; on any error nothing is saved and the errors are named."""
    _check_answerable(invitation)
    if form_version != response.version:
        raise StaleSave()
    definition = definition_of(response)
    saved = response.typed_answers(definition)
    result = validate_page(definition, page.name, raw, answers=saved, lang=lang)
    stale = _stale_hidden(definition, page, raw, response.answers, saved, result)
    if stale:
        raw = {name: value for name, value in raw.items() if name not in stale}
        result = validate_page(definition, page.name, raw, answers=saved, lang=lang)
    if not result.ok:
        return result
    answers = {**saved, **{k: v for k, v in result.values.items()}}
    answers = {k: v for k, v in answers.items() if v is not None}
    response.answers_json = _dump(answers)
    index = [p.name for p in definition.pages].index(page.name)
    response.page_reached = max(response.page_reached, index + 1)
    response.updated_at = now
    if invitation.state == InvitationState.INVITED:
        invitation.state = InvitationState.STARTED
    try:
        db.session.flush()
    except StaleDataError as error:  # another save landed between reading and writing
        raise StaleSave() from error
    return result


def _as_strings(value) -> list[str]:
    values = value if isinstance(value, (list, tuple)) else [value]
    return sorted(str(v).strip() for v in values if v is not None and str(v).strip())


def _stale_hidden(definition: Definition, page: Page, raw: dict, stored: dict, saved: dict,
                  result: PageResult) -> set[str]:
    """Name the answers the page's own answers now hide that only repeat what was saved.

    A career block starts filled from the record: someone who now answers "seeking work"
    still sends the employer the form was filled with. That is no answer of theirs, so it is
    dropped (and the saved one with it) instead of refused; anything else sent to a hidden
    question is still refused.
    """
    context = {**saved, **result.values}
    return {question.name for question in definition.questions(page)
            if question.name in result.errors and _as_strings(raw.get(question.name))
            and not visible(question, context)
            and _as_strings(raw.get(question.name)) == _as_strings(stored.get(question.name))}


def submit(invitation: Invitation, response: Response, *, update_career: bool,
           now: dt.datetime) -> dict:
    """Submit the response once; with consent, write the career answers to the record."""
    _check_answerable(invitation)
    definition = definition_of(response)
    invitation.state = InvitationState.SUBMITTED
    invitation.submitted_at = now
    response.submitted_at = now
    changes: dict = {}
    if update_career:
        changes = _write_career(invitation, definition, response.typed_answers(definition))
    audit.record("survey.response_submitted", object_type="survey_response",
                 object_id=response.id, subject_registrant_id=invitation.registrant_id,
                 account=_registrant_account(invitation.registrant_id),
                 details={"survey": invitation.survey.slug, "career_updated": sorted(changes)})
    return changes


def _registrant_account(registrant_id: int):
    registrant = db.session.get(Registrant, registrant_id)
    return registrant.account


def _write_career(invitation: Invitation, definition: Definition, answers: dict) -> dict:
    update = career.writeback(definition, answers)
    if not update:
        return {}
    registrant = db.session.get(Registrant, invitation.registrant_id)
    # The registrant, not the survey's owner, through the survey (named in the history).
    actor = dataclasses.replace(Actor.for_account(registrant.account),
                                via=invitation.survey.title(registrant.account.locale))
    spell = current_spell(registrant.id)
    if spell is None:
        update.setdefault("start_month", dt.date.today().replace(day=1))
        update.setdefault("labour_status", "employed")
        records.add_career_spell(registrant, update, actor)
        changes = update
    else:
        changes = records.update_career_spell(spell, update, actor)
    audit.record("survey.career_written_back", account=registrant.account,
                 object_type="survey", object_id=invitation.survey_id,
                 subject_registrant_id=registrant.id,
                 details={"survey": invitation.survey.slug, "fields": sorted(changes)})
    return changes
