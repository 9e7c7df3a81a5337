"""Public pages: home, privacy, the language switch."""


def init_app(app) -> None:
    from jgrad.main.views import bp

    app.register_blueprint(bp)
