"""The university portal: alumni, records, corrections and messages."""


def init_app(app) -> None:
    from jgrad.portal import corrections  # noqa: F401  (routes on bp)
    from jgrad.portal.optout import cancel_contact_mail
    from jgrad.portal.views import bp
    from jgrad.registrants.consent import consent_withdrawn

    app.register_blueprint(bp)
    consent_withdrawn.connect(cancel_contact_mail)
