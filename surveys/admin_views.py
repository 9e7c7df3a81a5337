"""Survey pages for administrators (every survey, every alumnus) and university staff (the
institute's and their own university's surveys, their own alumni only)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template
from flask_babel import get_locale
from flask_login import current_user

from jgrad.access import guard
from jgrad.accounts.models import Role
from jgrad.extensions import db
from jgrad.registrants import codes
from jgrad.universities.models import University

from . import export as export_service
from . import rates as rate_service
from . import services
from .chart import rate_chart
from .models import Invitation

admin_bp = Blueprint("surveys_admin", __name__, url_prefix="/admin/surveys")
guard(admin_bp, Role.ADMIN)
staff_bp = Blueprint("surveys_staff", __name__, url_prefix="/university/surveys")
guard(staff_bp, Role.STAFF)


def _lang() -> str:
    return "ja" if str(get_locale()) == "ja" else "en"


def _visible_survey(slug: str):
    """Load a survey the current account may see, or 404 (another university's: 404 too)."""
    survey = next((s for s in rate_service.visible_surveys(current_user) if s.slug == slug),
                  None)
    if survey is None:
        abort(404)
    return survey


def _list(endpoint: str):
    surveys = rate_service.visible_surveys(current_user)
    invited = dict(db.session.execute(
        sa.select(Invitation.survey_id, sa.func.count()).group_by(Invitation.survey_id)).all())
    return render_template("surveys/list.html", surveys=surveys, lang=_lang(),
                           invited=invited if current_user.role == Role.ADMIN else None,
                           rates_endpoint=endpoint)


def _rates(slug: str):
    survey = _visible_survey(slug)
    total, by = rate_service.rates(survey, current_user)
    lang = _lang()
    names = {u.id: (u.name_ja if lang == "ja" else u.name_en) for u in db.session.scalars(
        sa.select(University).where(University.id.in_(
            [r.group for r in by["university"] if r.group is not None])))}
    labels = {"university": lambda key: names.get(key, "-"),
              "cohort": lambda key: "-" if key is None else str(key),
              "field": lambda key: str(codes.FIELD.get(key, key or "-"))}
    charts = {name: rate_chart([(labels[name](r.group), r.rr1, r.rr2) for r in rows])
              for name, rows in by.items()}
    return render_template("surveys/rates.html", survey=survey, lang=lang, total=total, by=by,
                           labels=labels, charts=charts)


@admin_bp.route("")
def surveys():
    """List every survey with its state and invitations."""
    return _list("surveys_admin.rates")


@admin_bp.route("/<slug>/rates")
def rates(slug: str):
    """Show a survey's response rates over all invited registrants."""
    return _rates(slug)


@admin_bp.route("/<slug>/responses.zip")
def export(slug: str):
    """Download a survey's raw responses with the codebook (CSV in a zip); audited."""
    survey = _visible_survey(slug)
    data = services.export_responses(survey, "csv", account=current_user)
    db.session.commit()
    return Response(export_service.csv_zip(data, slug), mimetype="application/zip",
                    headers={"Content-Disposition": f"attachment; filename={slug}.zip"})


@staff_bp.route("")
def staff_surveys():
    """List the surveys whose rates the university may see."""
    return _list("surveys_staff.staff_rates")


@staff_bp.route("/<slug>/rates")
def staff_rates(slug: str):
    """Show a survey's response rates among the university's own alumni."""
    return _rates(slug)
