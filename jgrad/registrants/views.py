"""The registrant's own pages under /me: record, history, settings, download, deletion."""
from __future__ import annotations

import json
from functools import lru_cache, wraps

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask import Response
from flask_babel import get_locale
from flask_login import current_user, login_required, logout_user

from jgrad.access import deny, guard
from jgrad.accounts.models import Role
from jgrad.accounts.passwords import verify_password
from jgrad.actors import Actor
from jgrad.audit import services as audit
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from jgrad.i18n import gettext as _
from jgrad.registrants import codes, consent, display, services
from jgrad.registrants.export import export_data, export_zip
from jgrad.registrants.forms import (
    CareerSpellForm,
    DeletionRequestForm,
    EnrolmentForm,
    ProfileForm,
    SettingsForm,
    values_of,
)
from jgrad.registrants.history import ConsentChange, RecordChange
from jgrad.registrants.models import CareerSpell, Enrolment
from jgrad.universities.models import University

bp = Blueprint("registrants", __name__, url_prefix="/me")
guard(bp, Role.REGISTRANT)


def registrant_required(view):
    """Let only a logged-in registrant through; pass their record to the view."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role != Role.REGISTRANT or current_user.registrant is None:
            deny()
        return view(current_user.registrant, *args, **kwargs)

    return wrapped


def _actor() -> Actor:
    return Actor.for_account(current_user)


def _own(model, record_id: int, registrant):
    """Load one of the registrant's own records, or answer 404."""
    record = db.session.scalar(
        sa.select(model).where(model.id == record_id, model.registrant_id == registrant.id)
    )
    if record is None:
        abort(404)
    return record


def _refused(error: services.RecordError, template: str, form, record, **context):
    """Show why nothing was saved: the rule, or what was saved meanwhile (a stale form)."""
    db.session.rollback()
    flash(str(error), "error")
    stale = isinstance(error, services.StaleRecord)
    if stale:
        form.version.data = record.version  # saving again now replaces the newer values
    return render_template(template, form=form, record=record,
                           differences=error.differences if stale else None,
                           **context), 409 if stale else 422


@bp.route("")
@registrant_required
def overview(registrant):
    # The whole record in one query: three lazy loads (enrolments, their universities,
    # career spells) were a fifth of this page's time.
    db.session.execute(_whole_record(), {"registrant_id": registrant.id}).unique().all()
    return render_template("registrants/overview.html", registrant=registrant, codes=codes)


@lru_cache(maxsize=1)
def _whole_record():
    from jgrad.registrants.models import Registrant

    # The registrant's own columns came with the signed-in account (registrant_required
    # reads current_user.registrant first, joined or lazily loaded): only the key again.
    return sa.select(Registrant).where(Registrant.id == sa.bindparam("registrant_id")).options(
        sa.orm.load_only(Registrant.id),
        sa.orm.joinedload(Registrant.enrolments).joinedload(Enrolment.university),
        sa.orm.joinedload(Registrant.career_spells))


@bp.route("/welcome")
@registrant_required
def welcome(registrant):
    return render_template("registrants/welcome.html", registrant=registrant)


@bp.route("/profile", methods=["GET", "POST"])
@registrant_required
def profile(registrant):
    form = ProfileForm(obj=registrant)
    if form.validate_on_submit():
        try:
            changed = services.update_profile(registrant, values_of(form), _actor())
        except services.RecordError as error:
            return _refused(error, "registrants/profile.html", form, registrant)
        db.session.commit()
        flash(_("Your profile has been saved.") if changed else _("Nothing was changed."), "info")
        return redirect(url_for("registrants.overview"))
    return render_template("registrants/profile.html", form=form)


def _edit_record(registrant, model, form_class, record_id, add, update, kind):
    record = _own(model, record_id, registrant) if record_id is not None else None
    form = form_class(obj=record)
    if form.validate_on_submit():
        try:
            if record is None:
                add(registrant, values_of(form), _actor())
            else:
                update(record, values_of(form), _actor())
        except services.RecordError as error:
            return _refused(error, "registrants/record_form.html", form, record, kind=kind)
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("registrants.overview"))
    return render_template("registrants/record_form.html", form=form, kind=kind, record=record)


def _delete_record(registrant, model, record_id, delete):
    record = _own(model, record_id, registrant)
    try:
        delete(record, _actor())
    except services.RecordError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("registrants.overview"))
    db.session.commit()
    flash(_("Deleted."), "info")
    return redirect(url_for("registrants.overview"))


@bp.route("/enrolments/new", methods=["GET", "POST"])
@bp.route("/enrolments/<int:record_id>", methods=["GET", "POST"])
@registrant_required
def enrolment(registrant, record_id=None):
    return _edit_record(registrant, Enrolment, EnrolmentForm, record_id,
                        services.add_enrolment, services.update_enrolment, "enrolment")


@bp.route("/enrolments/<int:record_id>/delete", methods=["POST"])
@registrant_required
def delete_enrolment(registrant, record_id):
    return _delete_record(registrant, Enrolment, record_id, services.delete_enrolment)


@bp.route("/careers/new", methods=["GET", "POST"])
@bp.route("/careers/<int:record_id>", methods=["GET", "POST"])
@registrant_required
def career(registrant, record_id=None):
    return _edit_record(registrant, CareerSpell, CareerSpellForm, record_id,
                        services.add_career_spell, services.update_career_spell, "career")


@bp.route("/careers/<int:record_id>/delete", methods=["POST"])
@registrant_required
def delete_career(registrant, record_id):
    return _delete_record(registrant, CareerSpell, record_id, services.delete_career_spell)


@bp.route("/history")
@registrant_required
def history(registrant):
    changes = db.session.scalars(
        sa.select(RecordChange)
        .where(RecordChange.registrant_id == registrant.id)
        .order_by(RecordChange.at.desc(), RecordChange.id.desc())
        .limit(500)
    ).all()
    consents = db.session.scalars(
        sa.select(ConsentChange)
        .where(ConsentChange.registrant_id == registrant.id)
        .order_by(ConsentChange.at.desc(), ConsentChange.id.desc())
    ).all()
    return render_template("registrants/history.html", changes=changes, consents=consents)


@bp.route("/settings", methods=["GET", "POST"])
@registrant_required
def settings(registrant):
    form = SettingsForm(obj=registrant)
    if form.validate_on_submit():
        for setting in services.CONSENT_SETTINGS:
            consent.set_consent(registrant, setting, form[setting].data, _actor())
        db.session.commit()
        flash(_("Your settings have been saved and apply from now on."), "info")
        return redirect(url_for("registrants.settings"))
    return render_template("registrants/settings.html", form=form)


@bp.route("/download")
@registrant_required
def download(registrant):
    return render_template("registrants/download.html")


def _exported(registrant, fmt: str) -> dict:
    data = export_data(registrant)
    audit.record("record.exported", account=current_user, object_type="registrant",
                 object_id=registrant.id, subject_registrant_id=registrant.id,
                 details={"format": fmt})
    db.session.commit()
    return data


@bp.route("/download/jgrad-record.json")
@registrant_required
def download_json(registrant):
    data = _exported(registrant, "json")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename={registrant.doctor_id}.json"},
    )


@bp.route("/download/jgrad-record.zip")
@registrant_required
def download_zip(registrant):
    data = _exported(registrant, "zip")
    locale = str(get_locale())
    names: dict = {}

    def university_name(university_id):
        if university_id not in names:
            university = db.session.get(University, university_id)
            names[university_id] = university.name(locale) if university else ""
        return names[university_id]

    return Response(
        export_zip(data, header_words=display.column_label,
                   value_words=lambda name, value: display.cell_label(
                       name, value, locale, university_name)),
        mimetype="application/zip",
        headers={"Content-Disposition": f"attachment; filename={registrant.doctor_id}-csv.zip"},
    )


@bp.route("/delete", methods=["GET", "POST"])
@registrant_required
def delete(registrant):
    form = DeletionRequestForm()
    if form.validate_on_submit():
        if not verify_password(current_user, form.password.data):
            form.password.errors.append(_("This is not your password."))
        else:
            request = consent.request_deletion(
                registrant, _actor(), channel="web", verified_by="password",
                reason=form.reason.data, grace_days=current_app.config["DELETION_GRACE_DAYS"],
                locale=str(get_locale()),
            )
            db.session.commit()
            due = request.due_at
            logout_user()
            session.clear()
            return render_template("registrants/deletion_requested.html", due=due)
    return render_template("registrants/delete.html", form=form)


@bp.route("/access")
@registrant_required
def access(registrant):
    """Who has accessed my data: every view, export, correction and message by someone else."""
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.subject_registrant_id == registrant.id,
               sa.or_(AuditEvent.actor_account_id.is_(None),
                      AuditEvent.actor_account_id != registrant.account_id))
        .order_by(AuditEvent.id.desc()).limit(500)
    ).all()
    return render_template("registrants/access.html", events=events)
