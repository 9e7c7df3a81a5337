"""Statistical releases in the application: extraction, storage, analysts' pages."""


def init_app(app) -> None:
    from jgrad.statistics.cli import stats_cli
    from jgrad.statistics.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(stats_cli)
