"""The dormancy and deletion lifecycle (rules 8 and 9)."""
import datetime as dt


def _end_dormancy(account, at) -> None:
    from jgrad.lifecycle.dormancy import end_dormancy

    end_dormancy(account, at)


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l
    from apscheduler.triggers.cron import CronTrigger

    from jgrad.lifecycle import tasks
    from jgrad.lifecycle.cli import lifecycle_cli
    from jgrad.lifecycle.models import DormancyEpisode
    from jgrad.registry import TIMEZONE, register_job, register_personal_table

    from jgrad.accounts.signals import signed_in

    app.cli.add_command(lifecycle_cli)
    signed_in.connect(_end_dormancy)  # rule 9: logging in ends dormancy, at once
    register_job(app, "dormancy-check", tasks.dormancy_check,
                 CronTrigger(hour=3, minute=0, timezone=TIMEZONE), dt.timedelta(days=1),
                 title=_l("Dormancy check"))
    register_job(app, "deletion-deadlines", tasks.deletion_deadlines,
                 CronTrigger(hour=3, minute=30, timezone=TIMEZONE), dt.timedelta(days=1),
                 title=_l("Deletions due"))
    register_personal_table(app, DormancyEpisode, person="account_id")
