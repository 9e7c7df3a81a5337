"""University-file imports: parse, check, preview and write a university's doctoral students."""
import datetime as dt


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l
    from apscheduler.triggers.interval import IntervalTrigger

    from jgrad.imports import previews
    from jgrad.imports.cli import import_command
    from jgrad.imports.models import PossibleDuplicate
    from jgrad.imports.views import bp
    from jgrad.registry import register_job, register_personal_table
    from jgrad.universities.cli import universities_cli

    app.register_blueprint(bp)
    universities_cli.add_command(import_command)  # flask universities import CODE FILE
    # Previews not confirmed within a day are removed: they hold people's rows.
    register_job(app, "preview-expiry", previews.expire, IntervalTrigger(hours=1),
                 dt.timedelta(hours=1), title=_l("Removing expired import previews"))
    register_personal_table(app, PossibleDuplicate,
                            person=("candidate_registrant_id", "registrant_id"))
