"""Survey tooling: definitions, conditions, answer validation and exchange formats.

The core is pure Python: `load_json`/`load_definition` build a frozen `Survey`, conditions are
parsed by `surveys.conditions` and evaluated by `surveys.evaluate`, `validate_page` checks one
page of answers, and `surveys.redcap` and `surveys.xlsform` read and write other formats.
The application layer (models, services, views, cli, tasks) joins JGRAD through `init_app`.
"""
import datetime as dt

from .answers import PageResult, validate_page, visible
from .definition import load_definition, load_json
from .dump import to_dict, to_json
from .messages import DefinitionError, Problem, message
from .model import Choice, ChoiceList, Condition, Item, Page, Question, Row, Survey, Text

__all__ = [
    "Choice", "ChoiceList", "Condition", "DefinitionError", "Item", "Page", "PageResult",
    "Problem", "Question", "Row", "Survey", "Text", "init_app", "load_definition", "load_json",
    "message", "to_dict", "to_json", "validate_page", "visible",
]


def init_app(app) -> None:
    """Register the blueprints, commands, daily job, personal tables and statistics source."""
    from apscheduler.triggers.cron import CronTrigger
    from flask_babel import lazy_gettext as _l

    from jgrad.registry import (
        TIMEZONE, register_job, register_personal_table, register_stats_source,
    )

    from . import admin_load, admin_survey, download, statistics, tasks  # noqa: F401 (routes)
    from .cli import surveys_cli
    from .models import Invitation, Response, SurveyMailChoice
    from .admin_views import admin_bp, staff_bp
    from .views import bp

    for blueprint in (bp, admin_bp, staff_bp):
        app.register_blueprint(blueprint)
    app.cli.add_command(surveys_cli)
    register_job(app, "survey-invitations", tasks.survey_invitations,
                 CronTrigger(hour=9, minute=0, timezone=TIMEZONE), dt.timedelta(days=1),
                 title=_l("Survey invitations and reminders"))
    # Children first: deletion removes responses before the invitations they belong to.
    register_personal_table(app, Response, download="survey_responses",
                            row=download.response_row)
    register_personal_table(app, Invitation, download="survey_invitations",
                            row=download.invitation_row)
    register_personal_table(app, SurveyMailChoice, download="survey_mail_choices",
                            row=download.mail_choice_row)
    # Closed surveys' coded answers join every statistical release (stats.surveys).
    register_stats_source(app, "surveys", statistics.survey_answers)
