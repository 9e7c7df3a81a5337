"""Create and change registrants' records, keeping provenance and a history of every change."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from sqlalchemy.orm.exc import StaleDataError

from jgrad.accounts.models import Account
from jgrad.actors import Actor, Source
from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.registrants.history import ConsentChange, RecordChange
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant

PROFILE_FIELDS = (
    "family_name", "given_name", "family_name_kana", "given_name_kana",
    "family_name_roman", "given_name_roman", "birth_year", "sex", "nationality",
    "contact_email", "recovery_email", "orcid", "researchmap_id",
)
ENROLMENT_FIELDS = (
    "university_id", "graduate_school", "major", "field", "student_number", "programme_type",
    "entry_date", "status", "status_date", "degree_name",
)
CAREER_FIELDS = (
    "start_month", "end_month", "labour_status", "employer", "sector", "country", "prefecture",
    "job_title", "academic_rank", "postdoc", "employment_term", "contract_months",
    "working_hours", "income_band", "relatedness",
)
CONSENT_SETTINGS = ("share_with_university", "accept_contact")
RECORD_TYPES = {Registrant: "registrant", Enrolment: "enrolment", CareerSpell: "career_spell"}


class RecordError(Exception):
    """A change that the rules do not allow; the message is shown to the person."""


class StaleRecord(RecordError):
    """The record was saved by someone else after the form was opened (nothing was saved).

    ``differences`` holds (field, value now saved, value in the stale form) for every field
    where the two differ, so that the person sees what changed before saving again.
    """

    def __init__(self, record, differences: list[tuple[str, object, object]]):
        super().__init__(_l("Someone else saved this record after you opened the form, so "
                            "nothing was saved. The values now saved are shown below; save "
                            "again if yours should replace them."))
        self.record = record
        self.differences = differences


def check_university(actor: Actor, *university_ids) -> None:
    """Refuse a university's change to an enrolment at another university (rule 4).

    The institute and the registrant may name any university; a university names only itself.
    """
    if actor.source != Source.UNIVERSITY:
        return
    if actor.university_id is None or any(u != actor.university_id for u in university_ids):
        raise RecordError(_l("A university can add and change only its own doctoral "
                             "programmes."))


def plain(value):
    """Return a value as it is written into histories and exports."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _pick(values: dict, fields: tuple[str, ...]) -> dict:
    return {name: values[name] for name in fields if name in values}


def _log_change(registrant_id: int, record, action: str, changes: dict, actor: Actor) -> None:
    record_type = RECORD_TYPES[type(record)]
    db.session.add(
        RecordChange(
            registrant_id=registrant_id,
            record_type=record_type,
            record_id=record.id,
            action=action,
            changes=changes,
            actor_source=actor.source,
            actor_university_id=actor.university_id,
            actor_account_id=actor.account_id,
            via=actor.via,
        )
    )
    audit.record(
        f"record.{record_type}.{action}",
        account=db.session.get(Account, actor.account_id) if actor.account_id else None,
        object_type=record_type,
        object_id=record.id,
        subject_registrant_id=registrant_id,
        details={"fields": sorted(changes)},
    )


def _owner_id(record) -> int:
    return record.id if isinstance(record, Registrant) else record.registrant_id


def _create(record, values: dict, actor: Actor):
    for name, value in values.items():
        setattr(record, name, value)
    record.stamp_supplied(actor)
    db.session.add(record)
    db.session.flush()
    changes = {name: [None, plain(value)] for name, value in values.items() if value is not None}
    _log_change(_owner_id(record), record, "create", changes, actor)
    return record


def _check_version(record, values: dict, fields: tuple[str, ...]) -> None:
    """Refuse a save from a form opened before the record's last save."""
    expected = values.get("version")
    if expected is None or expected == record.version:
        return
    raise StaleRecord(record, [(name, getattr(record, name), values[name]) for name in fields
                               if name in values and getattr(record, name) != values[name]])


def _update(record, values: dict, fields: tuple[str, ...], actor: Actor) -> dict:
    """Apply the changed ``fields``; ``values["version"]``, if given, must be current."""
    _check_version(record, values, fields)
    values = _pick(values, fields)
    changes = {}
    for name, new in values.items():
        old = getattr(record, name)
        if old != new:
            changes[name] = [plain(old), plain(new)]
            setattr(record, name, new)
    if changes:
        record.stamp_changed(actor)
        try:
            db.session.flush()  # the version column refuses a save that raced this one
        except StaleDataError as error:
            raise StaleRecord(record, []) from error
        _log_change(_owner_id(record), record, "update", changes, actor)
    return changes


def _delete(record, fields: tuple[str, ...], actor: Actor) -> None:
    changes = {
        name: [plain(getattr(record, name)), None]
        for name in fields
        if getattr(record, name) is not None
    }
    _log_change(_owner_id(record), record, "delete", changes, actor)
    db.session.delete(record)


def create_registrant(account: Account, doctor_id: str, profile: dict, actor: Actor) -> Registrant:
    """Create the registrant behind an account, with consent defaults on record."""
    registrant = _create(
        Registrant(account=account, doctor_id=doctor_id), _pick(profile, PROFILE_FIELDS), actor
    )
    for setting in CONSENT_SETTINGS:
        db.session.add(
            ConsentChange(
                registrant_id=registrant.id,
                setting=setting,
                old_value=None,
                new_value=getattr(registrant, setting),
                actor_source=actor.source,
                actor_account_id=actor.account_id,
            )
        )
    return registrant


def create_from_signup(account: Account, profile: dict, enrolment: dict) -> Registrant:
    """Create the record of a person who signed up: their profile and doctoral enrolment."""
    actor = Actor.for_account(account)
    registrant = create_registrant(account, account.login, profile, actor)
    add_enrolment(registrant, enrolment, actor)
    return registrant


def update_profile(registrant: Registrant, values: dict, actor: Actor) -> dict:
    """Change profile fields; return {field: [old, new]} of what changed."""
    return _update(registrant, values, PROFILE_FIELDS, actor)


def add_enrolment(registrant: Registrant, values: dict, actor: Actor) -> Enrolment:
    """Add a doctoral enrolment to a registrant's record."""
    check_university(actor, values.get("university_id"))
    values = _pick(values, ENROLMENT_FIELDS)
    _check_student_number(None, values, actor)
    return _create(Enrolment(registrant_id=registrant.id), values, actor)


def update_enrolment(enrolment: Enrolment, values: dict, actor: Actor) -> dict:
    """Change an enrolment; a university changes only its own and keeps it its own."""
    check_university(actor, enrolment.university_id,
                     values.get("university_id", enrolment.university_id))
    _check_student_number(enrolment, values, actor)
    return _update(enrolment, values, ENROLMENT_FIELDS, actor)


def _check_student_number(enrolment: Enrolment | None, values: dict, actor: Actor) -> None:
    """Keep student numbers unique per university, and the university's own ones its own.

    A registrant never changes a student number their university supplied, and never takes
    one that is in use at that university: only the university's import says whose it is.
    """
    university_id = values.get("university_id", enrolment.university_id if enrolment else None)
    number = values.get("student_number", enrolment.student_number if enrolment else None)
    if enrolment is not None and actor.source == Source.REGISTRANT \
            and enrolment.supplied_by != Source.REGISTRANT and enrolment.student_number \
            and (number != enrolment.student_number
                 or university_id != enrolment.university_id):
        raise RecordError(_l("Your university supplied this student number and doctoral "
                             "programme; ask your university to correct them."))
    if not number or university_id is None:
        return
    taken = db.session.scalar(sa.select(Enrolment.id).where(
        Enrolment.university_id == university_id, Enrolment.student_number == number,
        Enrolment.id != (enrolment.id if enrolment else -1)).limit(1))
    if taken is not None:
        raise RecordError(_l("This student number is already registered at this university. "
                             "If it is yours, ask your university to correct it."))


def delete_enrolment(enrolment: Enrolment, actor: Actor) -> None:
    """Remove an enrolment; a registrant always keeps at least one."""
    check_university(actor, enrolment.university_id)
    remaining = db.session.scalar(sa.select(sa.func.count(Enrolment.id)).where(
        Enrolment.registrant_id == enrolment.registrant_id))
    if remaining <= 1:
        raise RecordError(
            _l("A record needs at least one doctoral enrolment. Correct this one instead.")
        )
    _delete(enrolment, ENROLMENT_FIELDS, actor)


def add_career_spell(registrant: Registrant, values: dict, actor: Actor) -> CareerSpell:
    return _create(CareerSpell(registrant_id=registrant.id), _pick(values, CAREER_FIELDS), actor)


def update_career_spell(spell: CareerSpell, values: dict, actor: Actor) -> dict:
    return _update(spell, values, CAREER_FIELDS, actor)


def delete_career_spell(spell: CareerSpell, actor: Actor) -> None:
    _delete(spell, CAREER_FIELDS, actor)
