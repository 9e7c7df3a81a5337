"""The public contact form and its stored inquiries."""


def init_app(app) -> None:
    from jgrad.contact.views import bp

    app.register_blueprint(bp)
