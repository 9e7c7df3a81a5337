"""Administrators merge imported lookalikes into existing records, or keep them apart."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from jgrad.admin.views import bp
from jgrad.extensions import db
from jgrad.i18n import gettext as _
from jgrad.imports import duplicates as flags
from jgrad.registrants.models import Registrant


@bp.route("/duplicates")
def duplicates():
    return render_template("admin/duplicates.html", flags=flags.open_flags(), form=FlaskForm())


@bp.route("/duplicates/<int:flag_id>/merge", methods=["GET", "POST"])
def merge_duplicate(flag_id: int):
    """Join the imported row to the existing registrant, once confirmed."""
    flag = flags.open_flag(flag_id)
    if flag is None or flag.kind == "claim":
        abort(404)  # a claim has both records already; see keep_duplicate_apart
    if request.method == "GET":
        registrant = db.session.get(Registrant, flag.candidate_registrant_id)
        row = flag.row or {}
        return render_template(
            "admin/confirm.html", form=FlaskForm(),
            title=_("Join the imported row to %(doctor_id)s (%(name)s)?",
                    doctor_id=registrant.doctor_id,
                    name=f"{registrant.family_name} {registrant.given_name}"),
            effects=[_("The row: %(name)s, student number %(number)s.",
                       name=f"{row.get('family_name', '')} {row.get('given_name', '')}",
                       number=flag.student_number or "—"),
                     _("If this person already has that doctoral programme at the university, "
                       "the row completes it and the university becomes its source; otherwise "
                       "it is added as a programme of its own. Every change shows in their "
                       "history. No second record is made.")],
            button=_("Merge"), back=url_for("admin.duplicates"))
    if not FlaskForm().validate_on_submit():
        abort(400)
    registrant, combined = flags.merge(flag, current_user)
    db.session.commit()
    if combined:
        flash(_("The row was combined with the doctoral programme %(doctor_id)s already had; "
                "the history shows what the university changed.",
                doctor_id=registrant.doctor_id), "info")
    else:
        flash(_("The row was added to %(doctor_id)s as a doctoral programme of its own.",
                doctor_id=registrant.doctor_id), "info")
    return redirect(url_for("admin.duplicates"))


@bp.route("/duplicates/<int:flag_id>/keep-apart", methods=["POST"])
def keep_duplicate_apart(flag_id: int):
    """Create the imported person as a registrant of their own."""
    flag = flags.open_flag(flag_id) or abort(404)
    claim = flag.kind == "claim"
    flags.keep_apart(flag, current_user)
    db.session.commit()
    if claim:
        flash(_("Both records are kept; the student number stays with the university's "
                "record."), "info")
    else:
        flash(_("A separate record was created."), "info")
    return redirect(url_for("admin.duplicates"))
