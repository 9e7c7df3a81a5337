"""The outbox and mail delivery."""
import datetime as dt


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l
    from apscheduler.triggers.interval import IntervalTrigger

    from jgrad.mail.cli import mail_cli
    from jgrad.mail.models import OutboxMessage
    from jgrad.mail.services import init_mail
    from jgrad.mail.tasks import deliver_mail
    from jgrad.registry import register_job, register_personal_table

    init_mail(app)
    app.cli.add_command(mail_cli)
    register_job(app, "mail-delivery", deliver_mail, IntervalTrigger(minutes=1),
                 dt.timedelta(minutes=1), title=_l("Mail delivery"))
    register_personal_table(app, OutboxMessage, person="account_id")
