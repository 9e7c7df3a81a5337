"""Administrators: survey definitions and response exports (the surveys package's own
definition dump and export, audited as the admin pages' downloads are)."""
from __future__ import annotations

import json

from flask_login import current_user

from jgrad.accounts.models import Role
from jgrad.api import schemas as s
from jgrad.api.problems import Problem
from jgrad.api.spec import operation
from jgrad.api.views import bp
from jgrad.extensions import db
from jgrad.i18n import gettext as _
from surveys import services as surveys
from surveys.dump import to_json
from surveys.export import codebook


def _survey(slug: str):
    try:
        return surveys.find(slug)
    except surveys.SurveyNotFound as error:
        raise Problem(404, detail=_("No such survey.")) from error


@bp.route("/surveys")
@operation(Role.ADMIN, scope="surveys:read", ok={"HTTP_200": s.SurveyList}, tags=("surveys",),
           operation_id="listSurveys")
def survey_list():
    """List the surveys."""
    return {"items": [{"slug": x.slug, "title": x.title_en, "state": str(x.state)}
                      for x in surveys.all_surveys()]}


@bp.route("/surveys/<slug>")
@operation(Role.ADMIN, scope="surveys:read", ok={"HTTP_200": s.SurveyDefinition},
           tags=("surveys",), operation_id="getSurvey")
def survey(slug: str):
    """A survey's current definition, in the JSON definition format."""
    found = _survey(slug)
    # The definition format's own JSON (its numbers stay numbers), as the admin download.
    definition = json.loads(to_json(found.current_version.definition()))
    return {"slug": found.slug, "definition": definition}


@bp.route("/surveys/<slug>/responses")
@operation(Role.ADMIN, scope="responses:export", ok={"HTTP_200": s.ResponsesExport},
           tags=("surveys",), operation_id="exportResponses")
def responses(slug: str):
    """Every response of a survey, coded as in the CSV export, with its codebook."""
    found = _survey(slug)
    data = surveys.export_responses(found, "json", account=current_user)
    db.session.commit()
    columns = [v.name for v in data.variables]
    header, book = codebook(data)
    return {"slug": found.slug, "columns": columns,
            "rows": [dict(zip(columns, row, strict=True)) for row in data.rows],
            "codebook": [dict(zip(header, row, strict=True)) for row in book]}
