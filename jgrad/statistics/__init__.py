"""Statistical releases in the application: extraction, storage, analysts' pages."""
import datetime as dt


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l
    from apscheduler.triggers.cron import CronTrigger

    from jgrad.registry import TIMEZONE, register_job
    from jgrad.statistics.cli import stats_cli
    from jgrad.statistics.services import scheduled_release
    from jgrad.statistics.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(stats_cli)
    # Monthly; a deployment that has never made a release gets its first on start.
    register_job(app, "stats-release", scheduled_release,
                 CronTrigger(day=1, hour=5, minute=0, timezone=TIMEZONE), dt.timedelta(days=31),
                 title=_l("Monthly statistical release"))
