"""Staff of a cooperating university and administrators: alumni, records, upserts and
corrections, each through the portal's access layer and the same services as the pages."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import force_locale
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from jgrad.access import EDITOR, deny
from jgrad.accounts.models import Role
from jgrad.actors import Actor
from jgrad.api import schemas as s
from jgrad.api.problems import Problem
from jgrad.api.serialize import record
from jgrad.api.spec import operation
from jgrad.api.views import bp
from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.i18n import gettext as _
from jgrad.imports import importer
from jgrad.imports.importfile import check_records
from jgrad.portal import keyset
from jgrad.portal.loading import registrant_for
from jgrad.portal.notices import tell_corrected
from jgrad.portal.queries import AlumniFilter, alumni_query
from jgrad.registrants import services as records
from jgrad.registrants.forms import ProfileForm, values_of
from jgrad.registrants.models import Enrolment, Registrant
from jgrad.universities.models import University

STAFF = (Role.STAFF, Role.ADMIN)
COLUMNS = (Registrant.id, Registrant.doctor_id, Registrant.family_name, Registrant.given_name,
           Registrant.family_name_roman, Registrant.given_name_roman, Registrant.accept_contact,
           Enrolment.id.label("enrolment_id"), University.code.label("university"),
           Enrolment.graduate_school, Enrolment.field, Enrolment.status, Enrolment.entry_date,
           Enrolment.status_date)


CURSOR_SALT = "jgrad-api-alumni-cursor"


@bp.route("/alumni")
@operation(*STAFF, scope="records:read", query=s.AlumniQuery, ok={"HTTP_200": s.AlumniPage},
           tags=("records",), operation_id="listAlumni")
def alumni():
    """List the alumni this account may see, filtered, in pages (keyset pagination)."""
    query: s.AlumniQuery = request.context.query
    filters = AlumniFilter(status=query.status, entry_year=query.entry_year,
                           completion_year=query.completion_year, field=query.field,
                           sector=query.sector, name=(query.name or "").strip() or None)
    secret = current_app.config["SECRET_KEY"]
    try:
        where = keyset.position("id", query.cursor, secret, CURSOR_SALT)
    except keyset.BadCursor as error:
        raise Problem(422, errors=[{"field": "cursor", "message":
                                    _("not a cursor this API gave out")}]) from error
    statement = (alumni_query(current_user, filters, *COLUMNS, *keyset.key_columns("id"))
                 .join(University, University.id == Enrolment.university_id))
    found = keyset.page(statement, "id", where, query.limit, secret, CURSOR_SALT)
    audit.record("records.listed", account=current_user, object_type="registrant",
                 details={"filters": filters.as_dict(), "rows": len(found.rows), "api": True})
    db.session.commit()
    return {"items": [{k: v for k, v in row._mapping.items()
                       if k != "id" and not k.startswith("key_")} for row in found.rows],
            "next_cursor": found.next_cursor}


@bp.route("/registrants/<doctor_id>")
@operation(*STAFF, scope="records:read", ok={"HTTP_200": s.RegistrantRecord},
           tags=("records",), operation_id="getRegistrant")
def registrant(doctor_id: str):
    """Read one registrant's record, every item with its provenance."""
    person = registrant_for(current_user, doctor_id)
    audit.record("record.viewed", account=current_user, object_type="registrant",
                 object_id=person.id, subject_registrant_id=person.id, details={"api": True})
    db.session.commit()
    return record(person)


@bp.route("/registrants/<doctor_id>/profile", methods=["PATCH"])
@operation(EDITOR, Role.ADMIN, scope="records:write", json=s.ProfilePatch,
           ok={"HTTP_200": s.Changed}, tags=("records",), operation_id="correctProfile")
def correct_profile(doctor_id: str):
    """Correct a registrant's profile (rule 7); the registrant is told by mail."""
    person = registrant_for(current_user, doctor_id)
    changed = change_profile(person, request.context.json, Actor.for_account(current_user))
    if changed:
        tell_corrected(person, current_user.university)
    db.session.commit()
    return {"changed": sorted(changed), "version": person.version}


@bp.route("/universities/<code>/students", methods=["POST"])
@operation(EDITOR, Role.ADMIN, scope="records:write", json=s.StudentsIn, query=s.UpsertQuery,
           ok={"HTTP_200": s.UpsertResult}, tags=("records",), operation_id="upsertStudents")
def upsert_students(code: str):
    """Add or update a university's doctoral students: the import file's rules, all or
    nothing; a second identical call changes nothing."""
    university = db.session.scalar(sa.select(University).where(University.code == code))
    if university is None or (current_user.role == Role.STAFF
                              and university.id != current_user.university_id):
        raise Problem(404, detail=_("No such university among those this account supplies."))
    if not university.cooperating:
        deny()
    body: s.StudentsIn = request.context.json
    dry_run = request.context.query.dry_run
    parsed = check_records([student.model_dump() for student in body.students])
    plan = importer.plan(university.id, parsed.rows) if parsed.valid else None
    problems = parsed.problems + (plan.problems if plan else [])
    if problems:
        with force_locale("en"):  # the API speaks English; the problem codes stay as they were
            errors = [{"item": p.row - 1, "field": p.column, "message": str(p.message)}
                      for p in problems[:500]]
        raise Problem(422, errors=errors)
    if not dry_run:
        importer.apply(university, plan, Actor.for_account(current_user))
        db.session.commit()
    summary = plan.university_summary()
    return {**summary, "unavailable_items": [line - 1 for line in plan.unavailable],
            "dry_run": dry_run}


def _text(value) -> str:
    return "" if value is None else str(value)


def change_profile(registrant, patch, actor) -> dict:
    """Apply the fields given in ``patch`` (a ProfilePatch); return what changed."""
    given = patch.model_dump(exclude_unset=True)
    version = given.pop("version", None)
    current = {name: _text(getattr(registrant, name)) for name in records.PROFILE_FIELDS}
    current.update({name: _text(value) for name, value in given.items()})
    form = ProfileForm(formdata=MultiDict(current), meta={"csrf": False})
    if not form.validate():
        raise Problem(422, errors=[{"field": name, "message": str(message)}
                                   for name, messages in form.errors.items()
                                   for message in messages])
    values = values_of(form)
    values["version"] = version
    try:
        return records.update_profile(registrant, values, actor)
    except records.StaleRecord as error:
        raise Problem(409, detail=str(error), errors=[
            {"field": name, "message": "changed meanwhile"}
            for name, _now, _yours in error.differences]) from error
    except records.RecordError as error:
        raise Problem(422, detail=str(error)) from error
