"""The institute's administration pages."""


def init_app(app) -> None:
    from jgrad.admin import (  # noqa: F401  (they add their routes to bp)
        duplicates_views, lifecycle_views, manage_views, register_views)
    from jgrad.admin.views import bp

    app.register_blueprint(bp)
