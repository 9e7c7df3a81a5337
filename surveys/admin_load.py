"""Administrators load a definition file: upload, a preview of every page in both languages,
then a confirmation that loads it (as the command `flask surveys load` does).

The uploaded file waits server-side (`jgrad.imports.previews`) under an unguessable token
bound to the uploader, for a day; the confirmation reads the file from there, never from the
page, and removes it, so a replayed or stale confirmation loads nothing.
"""
from __future__ import annotations

from pathlib import Path

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.i18n import gettext as _
from jgrad.imports import previews
from jgrad.web import UPLOAD_LIMITS

from . import services
from .admin_views import _lang, admin_bp
from .forms import ACCEPTED, DefinitionUploadForm
from .loading import read_definition
from .messages import DefinitionError
from .models import InvalidTransition
from .pages import page_view
from .summary import summarise

KIND = "survey"
MAX_BYTES = 5_000_000  # the loaders' own limit; the request may be a little larger
REQUEST_LIMIT = 6 * 1024 * 1024
UPLOAD_LIMITS["surveys_admin.load"] = REQUEST_LIMIT


def _read(data: bytes, details: dict):
    return read_definition(data, slug=details.get("slug") or None,
                           title_en=details.get("title_en") or None,
                           title_ja=details.get("title_ja") or None)


def _refuse(form, problems, name: str):
    return render_template("surveys/load.html", form=form, problems=problems, name=name,
                           lang=_lang(), accepted=ACCEPTED), 422


@admin_bp.route("/load", methods=["GET", "POST"])
def load():
    """Upload a definition file; a sound one is kept and previewed, a bad one refused."""
    form = DefinitionUploadForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("surveys/load.html", form=form, problems=[], name=None,
                               lang=_lang(), accepted=ACCEPTED), status
    upload = form.file.data
    name = Path(upload.filename or "").name
    if not name.lower().endswith(ACCEPTED):
        form.file.errors.append(_("Upload a .json, .xlsx or .csv file."))
        return _refuse(form, [], name)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        form.file.errors.append(_("The file is larger than 5 MB."))
        return _refuse(form, [], name)
    details = {"name": name, "slug": form.slug.data, "title_en": form.title_en.data,
               "title_ja": form.title_ja.data}
    try:
        _read(data, details)
    except DefinitionError as error:
        return _refuse(form, error.problems, name)
    token = previews.keep(KIND, current_user.id, data, **details)
    return redirect(url_for("surveys_admin.preview", token=token))


def _gone():
    return render_template("surveys/preview_gone.html"), 404


@admin_bp.route("/load/preview")
def preview():
    """Show every page of an uploaded definition in Japanese and English, to confirm."""
    token = request.args.get("token", "")
    try:
        data, details = previews.look(KIND, current_user.id, token, utcnow())
    except previews.PreviewGone:
        return _gone()
    loaded = _read(data, details)
    plan, existing = services.load_plan(loaded.survey)
    return render_template("surveys/preview.html", loaded=loaded, details=details,
                           definition=loaded.survey, pages=preview_pages(loaded.survey),
                           summary=summarise(loaded.survey), plan=plan, existing=existing,
                           token=token, form=FlaskForm(), lang=_lang())


@admin_bp.route("/load/confirm", methods=["POST"])
def confirm_load():
    """Load the previewed definition (once: the kept file goes with the first confirmation)."""
    form = FlaskForm()
    if not form.validate_on_submit():
        flash(_("The form had expired; nothing was loaded. Please try again."), "error")
        return redirect(url_for("surveys_admin.load"))
    try:
        data, details = previews.claim(KIND, current_user.id, request.form.get("token", ""),
                                       utcnow())
    except previews.PreviewGone:
        return _gone()
    try:
        loaded = _read(data, details)
        survey, version = services.load_file(loaded.survey, fmt=loaded.format,
                                             file_name=details.get("name", ""),
                                             skipped=loaded.skipped, by=current_user)
    except (DefinitionError, InvalidTransition):
        db.session.rollback()
        flash(_("This definition cannot be loaded now (the survey with its slug may have "
                "been closed); nothing was loaded."), "error")
        return redirect(url_for("surveys_admin.load"))
    db.session.commit()
    if version is None:
        flash(_("%(slug)s is unchanged: the file matches its current version.",
                slug=survey.slug), "info")
    else:
        flash(_("%(slug)s: version %(number)s loaded; the survey is %(state)s.",
                slug=survey.slug, number=version.number, state=_state_name(survey.state)),
              "success")
    return redirect(url_for("surveys_admin.survey", slug=survey.slug))


def _state_name(state) -> str:
    return {"draft": _("a draft"), "open": _("open"), "closed": _("closed")}[str(state)]


def preview_pages(definition) -> list[dict]:
    """Every page as the respondent sees it, in each language (nothing answered yet)."""
    return [{"page": page,
             "views": {lang: page_view(definition, page, lang, {}, None, {})
                       for lang in ("ja", "en")}}
            for page in definition.pages]
