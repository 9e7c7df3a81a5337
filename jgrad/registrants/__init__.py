"""The registrant's own record: profile, enrolments, career spells, sharing."""


def init_app(app) -> None:
    from jgrad.registrants.views import bp

    app.register_blueprint(bp)
