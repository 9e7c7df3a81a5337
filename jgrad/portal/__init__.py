"""The university portal: alumni, records, corrections, messages and imports."""


def init_app(app) -> None:
    from jgrad.portal import corrections, uploads  # noqa: F401  (they add routes to bp)
    from jgrad.portal.views import bp

    app.register_blueprint(bp)
