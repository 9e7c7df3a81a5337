"""The administrators' lifecycle pages: dashboard, deletion queue, requests made by e-mail."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from jgrad.actors import Actor
from jgrad.admin.queries import registrant_by_doctor_id
from jgrad.admin.views import bp
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.i18n import gettext as _
from jgrad.lifecycle import dashboard
from jgrad.lifecycle.deletion import delete_registrants
from jgrad.registrants.history import DeletionRequest, DeletionRequestState
from jgrad.jobs.summary import summaries as job_summaries
from jgrad.registrants.consent import request_deletion
from jgrad.registry import registry


class EmailDeletionRequestForm(FlaskForm):
    doctor_id = StringField(_l("Doctor ID"), [DataRequired(), Length(max=16)])
    reason = TextAreaField(_l("How the identity was verified, and the request"),
                           [Optional(), Length(max=2000)])


@bp.route("/")
def dashboard_page():
    now = utcnow()
    return render_template(
        "admin/dashboard.html",
        states=dashboard.state_counts(),
        coming=dashboard.next_30_days(now, current_app.config["DORMANCY_YEARS"]),
        queue=dashboard.deletion_queue(),
        jobs=job_summaries(registry().jobs, now),
        mail=dashboard.troubled_mail(),
        form=EmailDeletionRequestForm(),
        action=current_app.config["DORMANCY_ACTION"],
    )


@bp.route("/deletions", methods=["POST"])
def record_deletion_request():
    """Record a deletion request received by e-mail, after the identity was verified.

    The first post shows whose record it is and what will happen; the confirmation acts.
    """
    form = EmailDeletionRequestForm()
    if form.validate_on_submit():
        registrant = registrant_by_doctor_id(form.doctor_id.data)
        if registrant is None:
            flash(_("No registrant has this Doctor ID."), "error")
        elif request.form.get("confirmed") != "yes":
            return render_template(
                "admin/confirm.html", form=form, danger=True,
                title=_("Suspend %(name)s (%(doctor_id)s) and delete their data?",
                        name=f"{registrant.family_name} {registrant.given_name}",
                        doctor_id=registrant.doctor_id),
                effects=[_("The account is suspended now: no one sees the record any more."),
                         _("Everything about them is deleted within %(days)d days, or at once "
                           "with 'Delete now'; the registrant is told by mail.",
                           days=current_app.config["DELETION_GRACE_DAYS"])],
                button=_("Suspend now and delete within 30 days"),
                hidden={"doctor_id": registrant.doctor_id, "reason": form.reason.data or "",
                        "confirmed": "yes"},
                back=url_for("admin.dashboard_page"))
        else:
            request_deletion(registrant, Actor.for_account(current_user), channel="email",
                             verified_by="administrator", reason=form.reason.data,
                             grace_days=current_app.config["DELETION_GRACE_DAYS"],
                             locale=registrant.account.locale)
            db.session.commit()
            flash(_("The request is recorded and the account suspended."), "info")
    else:
        flash(_("Give the Doctor ID."), "error")
    return redirect(url_for("admin.dashboard_page"))


@bp.route("/deletions/<int:request_id>/process", methods=["GET", "POST"])
def process_deletion(request_id: int):
    """Delete the data of a pending request now, before its deadline, once confirmed."""
    pending = db.session.get(DeletionRequest, request_id)
    if pending is None or pending.state != DeletionRequestState.PENDING:
        abort(404)
    if request.method == "GET":
        return render_template(
            "admin/confirm.html", form=FlaskForm(), danger=True,
            title=_("Delete this registrant's data now?"),
            effects=[_("Their record, account, survey answers and mail are deleted at once and "
                       "cannot be brought back; only a hash of the Doctor ID is kept, so a "
                       "restored backup can be cleaned again.")],
            button=_("Delete now"), back=url_for("admin.dashboard_page"))
    if not FlaskForm().validate_on_submit():
        abort(400)
    delete_registrants([pending.registrant_id], "request")
    db.session.commit()
    flash(_("The registrant's data has been deleted."), "info")
    return redirect(url_for("admin.dashboard_page"))
