"""The university portal: alumni, records, corrections and messages."""


def init_app(app) -> None:
    from jgrad.portal import corrections  # noqa: F401  (routes on bp)
    from jgrad.portal.views import bp

    app.register_blueprint(bp)
