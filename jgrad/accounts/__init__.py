"""Accounts: sign-up, log-in, passwords, the account state machine."""
import datetime as dt


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l
    from apscheduler.triggers.cron import CronTrigger

    from jgrad.accounts.bounces import mark_bounced
    from jgrad.accounts.cli import accounts_cli
    from jgrad.accounts.models import AccountToken, RecoveryCode
    from jgrad.accounts import email_views  # noqa: F401  (its routes join the blueprint)
    from jgrad.accounts.two_factor_views import enforce_enrolment
    from jgrad.accounts.tasks import cleanup_tokens
    from jgrad.accounts.views import bp
    from jgrad.mail.bounces import on_bounce
    from jgrad.registry import TIMEZONE, register_job, register_personal_table

    app.register_blueprint(bp)
    app.cli.add_command(accounts_cli)
    on_bounce(app, mark_bounced)
    register_job(app, "token-cleanup", cleanup_tokens,
                 CronTrigger(hour=4, minute=0, timezone=TIMEZONE), dt.timedelta(days=1),
                 title=_l("Removing expired sign-up and reset links"))
    register_personal_table(app, AccountToken, person="account_id")
    register_personal_table(app, RecoveryCode, person="account_id")
    app.before_request(enforce_enrolment)
