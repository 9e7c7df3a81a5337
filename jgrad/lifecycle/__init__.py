"""The dormancy and deletion lifecycle (rules 8 and 9)."""
import datetime as dt


def init_app(app) -> None:
    from apscheduler.triggers.cron import CronTrigger

    from jgrad.lifecycle import tasks
    from jgrad.lifecycle.cli import lifecycle_cli
    from jgrad.lifecycle.models import DormancyEpisode
    from jgrad.registry import TIMEZONE, register_job, register_personal_table

    app.cli.add_command(lifecycle_cli)
    register_job(app, "dormancy-check", tasks.dormancy_check,
                 CronTrigger(hour=3, minute=0, timezone=TIMEZONE), dt.timedelta(days=1))
    register_job(app, "deletion-deadlines", tasks.deletion_deadlines,
                 CronTrigger(hour=3, minute=30, timezone=TIMEZONE), dt.timedelta(days=1))
    register_personal_table(app, DormancyEpisode, person="account_id")
