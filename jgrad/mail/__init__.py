"""The outbox and mail delivery."""


def init_app(app) -> None:
    from jgrad.mail.cli import mail_cli
    from jgrad.mail.services import init_mail

    init_mail(app)
    app.cli.add_command(mail_cli)
