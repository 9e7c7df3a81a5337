"""The university portal: alumni, records, corrections, messages and imports."""
import datetime as dt


def init_app(app) -> None:
    from apscheduler.triggers.interval import IntervalTrigger

    from jgrad.portal import corrections, previews, uploads  # noqa: F401  (routes on bp)
    from jgrad.portal.models import PossibleDuplicate
    from jgrad.portal.views import bp
    from jgrad.registry import register_job, register_personal_table

    from jgrad.portal.optout import cancel_contact_mail
    from jgrad.registrants.consent import consent_withdrawn

    app.register_blueprint(bp)
    consent_withdrawn.connect(cancel_contact_mail)
    register_personal_table(app, PossibleDuplicate,
                            person=("candidate_registrant_id", "registrant_id"))
    # Previews not confirmed within a day are removed: they hold people's rows.
    register_job(app, "preview-expiry", previews.expire, IntervalTrigger(hours=1),
                 dt.timedelta(hours=1))
