"""The JSON API (``/api/v1``): scoped tokens, problem details, OpenAPI; and the token pages."""


def init_app(app) -> None:
    from jgrad.api import me_views, records_views, stats_views, surveys_views  # noqa: F401
    from jgrad.api.cli import api_cli
    from jgrad.api.models import ApiToken
    from jgrad.api.problems import render_error
    from jgrad.api.token_views import pages
    from jgrad.api.views import bp
    from jgrad.extensions import login_manager
    from jgrad.registry import register_personal_table
    from jgrad.web import UPLOAD_LIMITS, register_error_renderer

    app.register_blueprint(bp)
    app.register_blueprint(pages)
    app.cli.add_command(api_cli)
    register_error_renderer(app, "/api/", render_error)
    # Not logged in: a 401 problem, not the log-in page.
    login_manager.blueprint_login_views["api"] = None
    # An upsert of up to 5,000 students; every other call stays under MAX_CONTENT_LENGTH.
    UPLOAD_LIMITS["api.upsert_students"] = 8 * 1024 * 1024
    # A token acts as its account; deleting the account removes its tokens.
    register_personal_table(app, ApiToken, person="account_id")
