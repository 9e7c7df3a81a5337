"""The university portal: alumni, records, corrections and messages."""


def init_app(app) -> None:
    from jgrad.portal import corrections  # noqa: F401  (routes on bp)
    from jgrad.portal.models import PossibleDuplicate
    from jgrad.portal.views import bp
    from jgrad.registry import register_personal_table

    app.register_blueprint(bp)
    register_personal_table(app, PossibleDuplicate,
                            person=("candidate_registrant_id", "registrant_id"))
