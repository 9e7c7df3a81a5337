"""The token pages (``/tokens``): make a token (shown once), list tokens, revoke one.

Staff and analysts make tokens for themselves, with the scopes their role allows (a staff
viewer never gets records:write); administrators also make a university's token, which acts
as a service account of that university, and see and revoke every token.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from jgrad.access import allow, guard
from jgrad.accounts.models import Role
from jgrad.api import tokens
from jgrad.api.models import SCOPES
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.formtools import strip
from jgrad.i18n import gettext as _
from jgrad.universities.models import University

pages = Blueprint("api_tokens", __name__, url_prefix="/tokens")
guard(pages, Role.STAFF, Role.ANALYST, Role.ADMIN)


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(FlaskForm):
    name = StringField(_l("Name (what the token is for)"), [DataRequired(), Length(max=100)],
                       filters=[strip])
    scopes = Checkboxes(_l("Scopes"), [DataRequired()], choices=[])
    days = IntegerField(_l("Valid for (days)"), [NumberRange(1, tokens.MAX_DAYS)], default=90)


class UniversityTokenForm(TokenForm):
    university_id = SelectField(_l("University"), coerce=int, choices=[])


def _forms():
    own = TokenForm(prefix="own")
    own.scopes.choices = [(s, s) for s in SCOPES if s in tokens.allowed_scopes(current_user)]
    university = None
    if current_user.role == Role.ADMIN:
        university = UniversityTokenForm(prefix="university")
        university.scopes.choices = [(s, s) for s in ("records:read", "records:write")]
        university.university_id.choices = [
            (u.id, f"{u.code} {u.name(str(get_locale()))}")
            for u in db.session.scalars(sa.select(University).order_by(University.code))]
    return own, university


def _page(own, university, made=None, status: int = 200):
    listed = tokens.listed(None if current_user.role == Role.ADMIN else current_user)
    codes = dict(db.session.execute(sa.select(University.id, University.code)).all())
    return render_template("api/tokens.html", own=own, university=university, made=made,
                           tokens=listed, now=utcnow(), codes=codes), status


def _make(forms, make):
    """Make a token with ``make(by)``; show it once, or show why nothing was made."""
    try:
        token, raw = make(current_user)
    except tokens.TokenError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _page(*forms, status=422)
    db.session.commit()
    return _page(*_forms(), made=(token, raw))


@pages.route("/", methods=["GET", "POST"])
def listing():
    own, university = _forms()
    if own.validate_on_submit():
        return _make((own, university), lambda by: tokens.create_token(
            by, name=own.name.data, scopes=own.scopes.data, days=own.days.data, by=by))
    return _page(own, university, status=422 if own.errors else 200)


@pages.route("/university", methods=["POST"])
@allow(Role.ADMIN)
def university_token():
    own, university = _forms()
    if university.validate_on_submit():
        chosen = db.session.get(University, university.university_id.data) or abort(404)
        return _make((own, university), lambda by: tokens.create_university_token(
            chosen, name=university.name.data, scopes=university.scopes.data,
            days=university.days.data, by=by))
    return _page(own, university, status=422)


@pages.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    token = tokens.manageable(current_user, token_id) or abort(404)
    if tokens.revoke(token, current_user):
        db.session.commit()
        flash(_("The token %(prefix)s is revoked: it stops working at once.",
                prefix=token.prefix), "info")
    return redirect(url_for("api_tokens.listing"))
