"""The administrators' lifecycle pages: dashboard, deletion queue, requests made by e-mail."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
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
    """Record a deletion request received by e-mail, after the identity was verified."""
    form = EmailDeletionRequestForm()
    if form.validate_on_submit():
        registrant = registrant_by_doctor_id(form.doctor_id.data)
        if registrant is None:
            flash(_("No registrant has this Doctor ID."), "error")
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


@bp.route("/deletions/<int:request_id>/process", methods=["POST"])
def process_deletion(request_id: int):
    """Delete the data of a pending request now, before its deadline."""
    request = db.session.get(DeletionRequest, request_id)
    if request is None or request.state != DeletionRequestState.PENDING:
        abort(404)
    delete_registrants([request.registrant_id], "request")
    db.session.commit()
    flash(_("The registrant's data has been deleted."), "info")
    return redirect(url_for("admin.dashboard_page"))
