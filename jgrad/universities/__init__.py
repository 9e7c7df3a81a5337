"""Universities and their cooperation with the system."""


def init_app(app) -> None:
    from jgrad.universities.cli import universities_cli

    app.cli.add_command(universities_cli)
