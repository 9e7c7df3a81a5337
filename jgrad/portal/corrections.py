"""Rule 7: a registrant's university or the institute corrects or deletes wrong items."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from jgrad.access import EDITOR, allow
from jgrad.accounts.models import Role
from jgrad.actors import Actor
from jgrad.extensions import db
from jgrad.i18n import gettext as _
from jgrad.portal.loading import with_record, with_registrant
from jgrad.portal.notices import tell_corrected
from jgrad.portal.views import bp
from jgrad.registrants import services
from jgrad.registrants.forms import CareerSpellForm, EnrolmentForm, ProfileForm, values_of
from jgrad.registrants.models import CareerSpell, Enrolment


def _tell_registrant(registrant) -> None:
    """Mail the registrant that their record was changed by someone else (once a day)."""
    tell_corrected(registrant, current_user.university)


def _enrolment_form(*args, **kwargs) -> EnrolmentForm:
    """An enrolment form that offers staff their own university only."""
    if current_user.role == Role.STAFF:
        kwargs["university_id"] = current_user.university_id
    return EnrolmentForm(*args, **kwargs)


def _refused(error: services.RecordError, form, registrant, kind: str, record):
    """Show why nothing was saved: the rule, or what someone else saved meanwhile."""
    db.session.rollback()
    flash(str(error), "error")
    stale = isinstance(error, services.StaleRecord)
    if stale:
        form.version.data = record.version  # saving again now replaces the newer values
    return render_template("portal/correct.html", form=form, registrant=registrant, kind=kind,
                           record=record, differences=error.differences if stale else None
                           ), 409 if stale else 422


def _done(registrant, changed: bool):
    if changed:
        _tell_registrant(registrant)
    db.session.commit()
    flash(_("Saved. The registrant has been told.") if changed else _("Nothing was changed."),
          "info")
    return redirect(url_for("portal.record", doctor_id=registrant.doctor_id))


@bp.route("/<doctor_id>/profile", methods=["GET", "POST"])
@allow(EDITOR, Role.ADMIN)
@with_registrant
def correct_profile(registrant):
    form = ProfileForm(obj=registrant)
    if form.validate_on_submit():
        try:
            changed = services.update_profile(registrant, values_of(form),
                                              Actor.for_account(current_user))
        except services.RecordError as error:
            return _refused(error, form, registrant, "profile", registrant)
        return _done(registrant, bool(changed))
    return render_template("portal/correct.html", form=form, registrant=registrant,
                           kind="profile", record=registrant)


def _correct(registrant, record, form_class, add, update, kind):
    form = form_class(obj=record)
    if form.validate_on_submit():
        actor = Actor.for_account(current_user)
        try:
            if record is None:
                add(registrant, values_of(form), actor)
                changed = True
            else:
                changed = bool(update(record, values_of(form), actor))
        except services.RecordError as error:
            return _refused(error, form, registrant, kind, record)
        return _done(registrant, changed)
    return render_template("portal/correct.html", form=form, registrant=registrant, kind=kind,
                           record=record)


def _remove(registrant, record, delete):
    try:
        delete(record, Actor.for_account(current_user))
    except services.RecordError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("portal.record", doctor_id=registrant.doctor_id))
    return _done(registrant, True)


@bp.route("/<doctor_id>/enrolments/new", methods=["GET", "POST"])
@bp.route("/<doctor_id>/enrolments/<int:record_id>", methods=["GET", "POST"])
@allow(EDITOR, Role.ADMIN)
@with_record(Enrolment, writable=True)
def correct_enrolment(registrant, record):
    return _correct(registrant, record, _enrolment_form, services.add_enrolment,
                    services.update_enrolment, "enrolment")


@bp.route("/<doctor_id>/enrolments/<int:record_id>/delete", methods=["POST"])
@allow(EDITOR, Role.ADMIN)
@with_record(Enrolment, writable=True)
def delete_enrolment(registrant, record):
    return _remove(registrant, record, services.delete_enrolment)


@bp.route("/<doctor_id>/careers/new", methods=["GET", "POST"])
@bp.route("/<doctor_id>/careers/<int:record_id>", methods=["GET", "POST"])
@allow(EDITOR, Role.ADMIN)
@with_record(CareerSpell, writable=True)
def correct_career(registrant, record):
    return _correct(registrant, record, CareerSpellForm, services.add_career_spell,
                    services.update_career_spell, "career")


@bp.route("/<doctor_id>/careers/<int:record_id>/delete", methods=["POST"])
@allow(EDITOR, Role.ADMIN)
@with_record(CareerSpell, writable=True)
def delete_career(registrant, record):
    return _remove(registrant, record, services.delete_career_spell)
