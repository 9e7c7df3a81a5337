"""Surveys in the database: the survey and its states, frozen versions, invitations, responses."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jgrad.audit import services as audit
from jgrad.db import utcnow
from jgrad.enums import StrEnum, enum_column
from jgrad.extensions import db

from .definition import load_json
from .model import Survey as Definition


class SurveyState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class InvalidTransition(Exception):
    """A survey was asked to move to a state it cannot reach from where it is."""


# Which states each state may move to: a closed survey is closed for good.
TRANSITIONS = {
    SurveyState.DRAFT: {SurveyState.OPEN},
    SurveyState.OPEN: {SurveyState.CLOSED},
    SurveyState.CLOSED: set(),
}


class Survey(db.Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title_en: Mapped[str] = mapped_column(sa.String(300))
    title_ja: Mapped[str] = mapped_column(sa.String(300))
    state: Mapped[SurveyState] = mapped_column(
        enum_column(SurveyState, 16), default=SurveyState.DRAFT, index=True)
    # None: the institute's survey; otherwise the one university that runs it.
    owner_university_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("universities.id", ondelete="RESTRICT"), index=True)
    # The population (see surveys.targeting.Rule): wave, fiscal years, statuses, fields...
    targeting: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    max_reminders: Mapped[int] = mapped_column(default=2, server_default="2")
    reminder_gap_days: Mapped[int] = mapped_column(default=14, server_default="14")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]

    versions = relationship("SurveyVersion", back_populates="survey",
                            order_by="SurveyVersion.number", cascade="all, delete-orphan")

    @property
    def current_version(self) -> "SurveyVersion":
        return self.versions[-1]

    def title(self, lang: str) -> str:
        return self.title_ja if lang == "ja" else self.title_en

    def _move(self, new_state: SurveyState, *, by=None) -> None:
        if new_state not in TRANSITIONS[self.state]:
            raise InvalidTransition(f"{self.state} -> {new_state}")
        old_state = self.state
        self.state = new_state
        if new_state == SurveyState.OPEN:
            self.opened_at = utcnow()
        else:
            self.closed_at = utcnow()
        audit.record(f"survey.{new_state}", account=by, object_type="survey",
                     object_id=self.id, details={"from": str(old_state), "slug": self.slug})

    def open(self, *, by=None) -> None:
        """Open the survey for answers: its current version is frozen from now on."""
        self._move(SurveyState.OPEN, by=by)

    def close(self, *, by=None) -> None:
        """Close the survey: no more invitations, reminders or answers; answers are kept."""
        self._move(SurveyState.CLOSED, by=by)

    def add_version(self, definition_json: str, *, by=None) -> "SurveyVersion | None":
        """Record a changed definition as a new version; None when it is unchanged."""
        if self.state == SurveyState.CLOSED:
            raise InvalidTransition("closed -> new version")
        if self.versions and self.current_version.definition_json == definition_json:
            return None
        number = self.versions[-1].number + 1 if self.versions else 1
        version = SurveyVersion(number=number, definition_json=definition_json)
        self.versions.append(version)
        db.session.flush()
        audit.record("survey.version_added", account=by, object_type="survey",
                     object_id=self.id, details={"slug": self.slug, "version": number})
        return version

    def __repr__(self) -> str:
        return f"<Survey {self.slug} {self.state}>"


class SurveyVersion(db.Model):
    """One definition of a survey, never changed once stored; answers name their version."""

    __tablename__ = "survey_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    definition_json: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    survey = relationship("Survey", back_populates="versions")

    __table_args__ = (sa.UniqueConstraint("survey_id", "number"),)

    def definition(self) -> Definition:
        """Return the parsed definition (the core's frozen Survey)."""
        return _parse(self.definition_json)


_PARSED: dict[str, Definition] = {}


def _parse(text: str) -> Definition:
    # Versions never change, so their parse is kept (bounded, a few surveys at a time).
    if text not in _PARSED:
        if len(_PARSED) > 32:
            _PARSED.clear()
        _PARSED[text] = load_json(text)
    return _PARSED[text]


class InvitationState(StrEnum):
    INVITED = "invited"
    STARTED = "started"  # a page was saved
    SUBMITTED = "submitted"


class Invitation(db.Model):
    """One person invited to one survey, with the hash of their personal link."""

    __tablename__ = "survey_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    registrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    state: Mapped[InvitationState] = mapped_column(
        enum_column(InvitationState, 16), default=InvitationState.INVITED)
    sent_count: Mapped[int] = mapped_column(default=1)
    reminded_count: Mapped[int] = mapped_column(default=0)
    last_mailed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]

    survey = relationship("Survey")

    __table_args__ = (sa.UniqueConstraint("survey_id", "registrant_id"),)


class Response(db.Model):
    """The answers of one invitation, saved page by page, to the version it answered."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_invitations.id", ondelete="CASCADE"), unique=True)
    registrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="CASCADE"), index=True)
    survey_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_versions.id", ondelete="RESTRICT"), index=True)
    answers_json: Mapped[str] = mapped_column(sa.Text, default="{}")
    page_reached: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Bumped by every save: a form holding an older number is stale and refused.
    version: Mapped[int] = mapped_column(server_default=sa.text("1"))

    __mapper_args__ = {"version_id_col": version}

    @property
    def answers(self) -> dict:
        """The answers as stored (JSON: codes, code lists, numbers, text)."""
        return json.loads(self.answers_json)

    def typed_answers(self, definition: Definition) -> dict:
        """The answers as the core's conditions read them (code sets, Decimals, dates)."""
        return typed_answers(definition, self.answers)


def answer_kinds(definition: Definition) -> dict[str, str]:
    """Return each answer variable's item type (matrix rows and career items included)."""
    return {q.name: q.item.type for q in definition.questions()}


def typed_answers(definition: Definition, answers: dict,
                  kinds: dict[str, str] | None = None) -> dict:
    """Return stored answers as conditions read them (code sets, Decimals, dates).

    ``kinds`` (from :func:`answer_kinds`) saves working them out again for each response.
    """
    typed, kinds = {}, kinds or answer_kinds(definition)
    for name, value in answers.items():
        kind = kinds.get(name)
        if kind == "select_multiple":
            value = frozenset(value)
        elif kind == "decimal":
            value = Decimal(str(value))
        elif kind == "date":
            value = dt.date.fromisoformat(value)
        typed[name] = value
    return typed


class SurveyMailChoice(db.Model):
    """A registrant's choice about survey e-mail, kept as a history: the latest row holds.

    Made by the stop link in every survey e-mail or on /me/surveys; without any row the
    registrant receives survey mail (so long as they accept contact at all).
    """

    __tablename__ = "survey_mail_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    registrant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrants.id", ondelete="CASCADE"), index=True)
    accept: Mapped[bool]
    via: Mapped[str] = mapped_column(sa.String(16))  # "link" (from a mail) or "settings"
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
