"""Staff upload a file of doctoral students, see a preview, then confirm the import.

The pages sit beside the portal's (``/records/import``); only editors of a university enter.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from jgrad.access import EDITOR, deny, guard
from jgrad.actors import Actor
from jgrad.extensions import db
from jgrad.i18n import gettext as _
from jgrad.imports import importer, previews
from jgrad.imports.importfile import parse

bp = Blueprint("imports", __name__, url_prefix="/records")
guard(bp, EDITOR)  # university staff who may change records; viewers and others are refused


class UploadForm(FlaskForm):
    file = FileField(validators=[FileRequired()])


def _check(data: bytes, name: str):
    parsed = parse(data, name)
    plan = importer.plan(current_user.university_id, parsed.rows) if parsed.valid else None
    problems = parsed.problems + (plan.problems if plan else [])
    return parsed, plan, problems


@bp.route("/import", methods=["GET", "POST"])
def upload():
    form = UploadForm()
    cooperating = current_user.university.cooperating
    if form.validate_on_submit():
        if not cooperating:
            deny()
        upload = form.file.data
        name = Path(upload.filename or "upload.csv").name
        if not name.lower().endswith((".csv", ".xlsx")):
            flash(_("Upload a .csv or .xlsx file."), "error")
            return redirect(url_for("imports.upload"))
        data = upload.read()
        parsed, plan, problems = _check(data, name)
        ticket = None
        if not problems:
            ticket = secrets.token_hex(16)
            suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
            (previews.folder(create=True) / f"{current_user.id}-{ticket}{suffix}").write_bytes(data)
        return render_template("imports/preview.html", name=name, problems=problems,
                               rows=parsed.rows[:20], total=len(parsed.rows),
                               summary=plan.university_summary() if plan else None,
                               unavailable=plan.unavailable[:500] if plan else [],
                               ticket=ticket, form=FlaskForm())
    return render_template("imports/upload.html", form=form, cooperating=cooperating)


@bp.route("/import/confirm", methods=["POST"])
def confirm():
    if not current_user.university.cooperating:
        deny()
    ticket = request.form.get("ticket", "")
    form = FlaskForm()
    if not form.validate_on_submit() or not ticket.isalnum():
        abort(400)
    matches = list(previews.folder(create=True).glob(f"{current_user.id}-{ticket}.*"))
    if not matches:
        abort(404)
    path = matches[0]
    parsed, plan, problems = _check(path.read_bytes(), path.name)
    if problems:  # the database changed since the preview
        flash(_("The file no longer imports cleanly; upload it again to see why."), "error")
        return redirect(url_for("imports.upload"))
    importer.apply(current_user.university, plan, Actor.for_account(current_user))
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("Imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, "
            "%(unavailable)d not available.", **plan.university_summary()), "info")
    return redirect(url_for("portal.alumni"))
