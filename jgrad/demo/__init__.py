"""Synthetic data and the demo log-ins."""


def init_app(app) -> None:
    from jgrad.demo.cli import demo_data

    app.cli.add_command(demo_data)
