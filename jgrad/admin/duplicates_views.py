"""Administrators merge imported lookalikes into existing records, or keep them apart."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from jgrad.accounts.models import Account
from jgrad.actors import Actor, Source
from jgrad.admin.views import admin_required, bp
from jgrad.audit import services as audit
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.imports import importer
from jgrad.portal.models import PossibleDuplicate
from jgrad.registrants import services as records
from jgrad.registrants.models import Registrant
from jgrad.universities.models import University

DATES = ("entry_date", "status_date")


def _row(flag: PossibleDuplicate) -> dict:
    row = dict(flag.row)
    for name in DATES:
        row[name] = dt.date.fromisoformat(row[name]) if row.get(name) else None
    return row


def _open(flag_id: int) -> PossibleDuplicate:
    flag = db.session.get(PossibleDuplicate, flag_id)
    if flag is None or flag.state != "open":
        abort(404)
    return flag


def _resolve(flag: PossibleDuplicate, state: str) -> None:
    flag.state = state
    flag.resolved_at = utcnow()
    flag.resolved_by_account_id = current_user.id
    audit.record(f"duplicate.{state}", account=current_user, object_type="possible_duplicate",
                 object_id=flag.id, subject_registrant_id=flag.candidate_registrant_id)
    db.session.commit()


@bp.route("/duplicates")
@admin_required
def duplicates():
    flags = db.session.execute(
        sa.select(PossibleDuplicate, Registrant, University.name_en)
        .join(Registrant, Registrant.id == PossibleDuplicate.candidate_registrant_id)
        .join(University, University.id == PossibleDuplicate.university_id)
        .where(PossibleDuplicate.state == "open").order_by(PossibleDuplicate.id).limit(200)
    ).all()
    return render_template("admin/duplicates.html", flags=flags, form=FlaskForm())


@bp.route("/duplicates/<int:flag_id>/merge", methods=["POST"])
@admin_required
def merge_duplicate(flag_id: int):
    """Add the imported enrolment to the existing registrant."""
    flag = _open(flag_id)
    if flag.kind == "claim":
        abort(404)  # both records exist already; see keep_duplicate_apart
    row = _row(flag)
    registrant = db.session.get(Registrant, flag.candidate_registrant_id)
    actor = Actor(Source.UNIVERSITY, current_user.id, flag.university_id)
    records.add_enrolment(registrant, dict(
        {name: row[name] for name in importer.ENROLMENT}, university_id=flag.university_id,
        student_number=flag.student_number), actor)
    _resolve(flag, "merged")
    flash(_("The row was added to %(doctor_id)s.", doctor_id=registrant.doctor_id), "info")
    return redirect(url_for("admin.duplicates"))


@bp.route("/duplicates/<int:flag_id>/keep-apart", methods=["POST"])
@admin_required
def keep_duplicate_apart(flag_id: int):
    """Create the imported person as a registrant of their own."""
    flag = _open(flag_id)
    if flag.kind == "claim":
        # The import created the real student already; the claimant keeps their record
        # without the number.
        _resolve(flag, "kept_apart")
        flash(_("Both records are kept; the student number stays with the university's "
                "record."), "info")
        return redirect(url_for("admin.duplicates"))
    university = db.session.get(University, flag.university_id)
    row = _row(flag)
    if row.get("email") and db.session.scalar(
            sa.select(Account.id).where(Account.email == row["email"])):
        row["email"] = None  # the address belongs to the other record; invite no one twice
    importer.create_people(university, [row], Actor(Source.UNIVERSITY, current_user.id,
                                                     university.id), utcnow())
    _resolve(flag, "kept_apart")
    flash(_("A separate record was created."), "info")
    return redirect(url_for("admin.duplicates"))
