"""Public pages: home, privacy, and the language switch."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from jgrad.access import ANYONE, guard
from jgrad.extensions import db
from jgrad.redirects import safe_next

bp = Blueprint("main", __name__)
guard(bp, ANYONE)


@bp.route("/")
def index():
    return render_template("main/index.html")


@bp.route("/privacy")
def privacy():
    return render_template("main/privacy.html")


@bp.route("/lang", methods=["POST"])
def set_language():
    form = FlaskForm()  # CSRF check only
    lang = request.form.get("lang")
    if form.validate_on_submit() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang  # mail to this account follows the choice
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))
