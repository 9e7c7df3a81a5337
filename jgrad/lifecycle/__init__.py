"""The dormancy and deletion lifecycle (rules 8 and 9)."""


def init_app(app) -> None:
    from jgrad.lifecycle.cli import lifecycle_cli

    app.cli.add_command(lifecycle_cli)
