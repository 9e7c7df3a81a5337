"""One survey's page for administrators: its state, versions and what it holds, a preview of
its current version, and opening and closing (each asked for, then confirmed by a POST)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from jgrad.extensions import db
from jgrad.i18n import gettext as _

from .admin_load import preview_pages
from .admin_views import _lang, _visible_survey, admin_bp
from .models import TRANSITIONS, InvalidTransition, SurveyState
from .summary import summarise

MOVES = {"open": SurveyState.OPEN, "close": SurveyState.CLOSED}


@admin_bp.route("/<slug>")
def survey(slug: str):
    """Show a survey: state, versions, summary, the moves it allows and its pages."""
    survey = _visible_survey(slug)
    definition = survey.current_version.definition()
    moves = [verb for verb, state in MOVES.items() if state in TRANSITIONS[survey.state]]
    return render_template("surveys/survey.html", survey=survey, definition=definition,
                           summary=summarise(definition), pages=preview_pages(definition),
                           moves=moves, lang=_lang())


@admin_bp.route("/<slug>/open", methods=["GET", "POST"])
def open_survey(slug: str):
    """Ask, then open a draft survey (the model checks the move and audits it)."""
    return _move(slug, "open")


@admin_bp.route("/<slug>/close", methods=["GET", "POST"])
def close_survey(slug: str):
    """Ask, then close an open survey; what was answered is kept."""
    return _move(slug, "close")


def _move(slug: str, verb: str):
    survey = _visible_survey(slug)
    form = FlaskForm()
    if request.method == "GET" or not form.validate_on_submit():
        allowed = MOVES[verb] in TRANSITIONS[survey.state]
        return render_template("surveys/confirm_move.html", survey=survey, verb=verb,
                               allowed=allowed, form=form, lang=_lang())
    try:
        getattr(survey, verb)(by=current_user)
    except InvalidTransition:
        db.session.rollback()
        flash(_("This survey cannot be changed that way now."), "error")
    else:
        db.session.commit()
        title = survey.title(_lang())
        flash(_("%(title)s is now open: its questions are frozen, and the daily job invites "
                "the people it targets.", title=title) if verb == "open" else
              _("%(title)s is now closed: it takes no more answers, invitations or reminders; "
                "what was answered is kept.", title=title), "success")
    return redirect(url_for("surveys_admin.survey", slug=survey.slug))
