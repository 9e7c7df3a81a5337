"""Answering surveys: by personal link (no log-in, the token decides) or from /me/surveys."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from jgrad.access import ANYONE, allow, guard
from jgrad.accounts.models import Role
from jgrad.db import utcnow
from jgrad.extensions import db

from . import responding, services
from .models import InvitationState, SurveyState
from .client import page_logic
from .pages import page_view

bp = Blueprint("surveys", __name__)
guard(bp, Role.REGISTRANT)


def _lang() -> str:
    return "ja" if str(get_locale()) == "ja" else "en"


def _link_invalid():
    return render_template("surveys/link_invalid.html"), 404


def _by_token():
    """Return the invitation of the link's token and the URLs built on it, or None."""
    token = request.args.get("token", "")
    invitation = responding.invitation_for_token(token)
    if invitation is None:
        return None, None
    return invitation, lambda endpoint, **values: url_for(endpoint, token=token, **values)


@bp.route("/surveys/r", methods=["GET", "POST"])
@allow(ANYONE)
def answer():
    """Answer one page of a survey opened by a personal link."""
    invitation, url = _by_token()
    if invitation is None or invitation.state == InvitationState.SUBMITTED:
        return _link_invalid()
    return _answer(invitation, lambda **v: url("surveys.answer", **v),
                   url("surveys.submit_link"))


@bp.route("/surveys/r/submit", methods=["GET", "POST"])
@allow(ANYONE)
def submit_link():
    """Review and submit a survey opened by a personal link."""
    invitation, url = _by_token()
    if invitation is None or invitation.state == InvitationState.SUBMITTED:
        return _link_invalid()
    return _submit(invitation, lambda **v: url("surveys.answer", **v))


@bp.route("/surveys/stop", methods=["GET", "POST"])
@allow(ANYONE)
def stop_mail():
    """Stop survey e-mail with the link in any survey e-mail (confirmed with one button)."""
    invitation, _url = _by_token()
    if invitation is None:
        return _link_invalid()
    if request.method == "POST":
        services.set_survey_mail(invitation.registrant_id, False, via="link")
        db.session.commit()
        return render_template("surveys/mail_stopped.html")
    return render_template("surveys/stop_mail.html")


@bp.route("/me/surveys/mail", methods=["POST"])
def mail_setting():
    """Turn survey e-mail on or off from the registrant's own survey page."""
    registrant = current_user.registrant
    if registrant is None:
        abort(404)
    services.set_survey_mail(registrant.id, request.form.get("accept") == "yes",
                             via="settings", account=current_user)
    db.session.commit()
    return redirect(url_for("surveys.mine"))


def _own_invitation(invitation_id: int):
    registrant = current_user.registrant
    invitation = registrant and responding.invitation_of(registrant, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


@bp.route("/me/surveys")
def mine():
    """List the open surveys the registrant is invited to."""
    registrant = current_user.registrant
    invitations = responding.open_invitations(registrant) if registrant else []
    accepts = services.accepts_survey_mail(registrant.id) if registrant else True
    return render_template("surveys/mine.html", invitations=invitations, lang=_lang(),
                           accepts_mail=accepts)


@bp.route("/me/surveys/<int:invitation_id>", methods=["GET", "POST"])
def answer_mine(invitation_id: int):
    """Answer one page of one of the registrant's surveys."""
    invitation = _own_invitation(invitation_id)
    if invitation.state == InvitationState.SUBMITTED:
        return render_template("surveys/done.html", invitation=invitation, lang=_lang())
    return _answer(invitation,
                   lambda **v: url_for("surveys.answer_mine", invitation_id=invitation_id, **v),
                   url_for("surveys.submit_mine", invitation_id=invitation_id))


@bp.route("/me/surveys/<int:invitation_id>/submit", methods=["GET", "POST"])
def submit_mine(invitation_id: int):
    """Review and submit one of the registrant's surveys."""
    invitation = _own_invitation(invitation_id)
    if invitation.state == InvitationState.SUBMITTED:
        return render_template("surveys/done.html", invitation=invitation, lang=_lang())
    return _submit(invitation,
                   lambda **v: url_for("surveys.answer_mine", invitation_id=invitation_id, **v))


def _closed(invitation):
    return render_template("surveys/closed.html", invitation=invitation, lang=_lang()), 409


def _answer(invitation, page_url, submit_url):
    if invitation.survey.state != SurveyState.OPEN:
        return _closed(invitation)
    now = utcnow()
    response, started = responding.opened_response(invitation, now)
    if started:  # only a first opening writes; reading a page again changes nothing
        db.session.commit()
    definition = responding.definition_of(response)
    names = [page.name for page in definition.pages]
    typed = response.typed_answers(definition)
    shown = [names.index(p.name) for p in responding.shown_pages(definition, typed)]
    index = request.args.get("page", type=int)
    if index is None or index not in shown or index > response.page_reached:
        index = next((i for i in shown if i >= response.page_reached), None)
        if index is None:
            return redirect(submit_url)
    page = definition.pages[index]
    errors, raw, stale = {}, None, False
    if request.method == "POST":
        raw = {key: (values if len(values) > 1 else values[0])
               for key, values in request.form.lists() if key not in ("csrf_token", "version")}
        try:
            result = responding.save_page(invitation, response, page, raw,
                                          request.form.get("version", type=int),
                                          lang=_lang(), now=now)
        except responding.NotAnswerable:
            db.session.rollback()
            return _closed(invitation)
        except responding.StaleSave:
            db.session.rollback()
            stale = True
            response = responding.response_for(invitation, now)
        else:
            if result.ok:
                db.session.commit()
                later = [i for i in shown if i > index]
                return redirect(page_url(page=later[0]) if later else submit_url)
            db.session.rollback()
            errors = result.errors
    position = shown.index(index) + 1
    return render_template(
        "surveys/page.html", view=page_view(definition, page, _lang(), response.answers, raw,
                                             errors),
        logic=page_logic(definition, page, typed),
        survey=invitation.survey, lang=_lang(), response=response, stale=stale,
        position=position, total=len(shown), errors=errors, action=page_url(page=index),
        back=page_url(page=shown[position - 2]) if position > 1 else None,
    ), (422 if errors else 200)


def _submit(invitation, page_url):
    if invitation.survey.state != SurveyState.OPEN:
        return _closed(invitation)
    now = utcnow()
    response = responding.response_for(invitation, now)
    definition = responding.definition_of(response)
    shown = responding.shown_pages(definition, response.typed_answers(definition))
    unfinished = response.page_reached < len(definition.pages) and any(
        definition.pages.index(p) >= response.page_reached for p in shown)
    if unfinished:
        return redirect(page_url())
    writes = any(item.writeback for page in definition.pages for block in page.items
                 if block.type == "career" for item in block.items)
    if request.method == "POST":
        responding.submit(invitation, response, now=now,
                          update_career=writes and request.form.get("update_career") == "yes")
        db.session.commit()
        return render_template("surveys/done.html", invitation=invitation, lang=_lang())
    return render_template("surveys/submit.html", survey=invitation.survey, lang=_lang(),
                           writes=writes, back=page_url())
