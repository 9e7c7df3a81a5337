"""Accounts: sign-up, log-in, passwords, the account state machine."""


def init_app(app) -> None:
    from jgrad.accounts.cli import accounts_cli
    from jgrad.accounts.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(accounts_cli)
