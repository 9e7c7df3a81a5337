"""``flask api token ...``: make, list and revoke API tokens from a script."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from jgrad.accounts.models import Account, Role
from jgrad.api import tokens
from jgrad.api.models import SCOPES, ApiToken
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.universities.models import University

api_cli = AppGroup("api", help="The JSON API.")
token_cli = AppGroup("token", help="API tokens.")
api_cli.add_command(token_cli)


def _account(email: str) -> Account:
    account = db.session.scalar(sa.select(Account).where(Account.email == email.strip().lower()))
    if account is None:
        raise click.ClickException(f"No account with the e-mail address {email}.")
    return account


@token_cli.command("create")
@click.option("--by", "by_email", required=True, help="The administrator making the token.")
@click.option("--university", "code", help="A university's token (a service account).")
@click.option("--account", "account_email", help="A token for this staff or analyst account.")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES))
@click.option("--name", required=True, help="What the token is for.")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, tokens.MAX_DAYS))
def create_command(by_email, code, account_email, scopes, name, days) -> None:
    """Make a token and print it once (only its hash is kept)."""
    by = _account(by_email)
    if by.role != Role.ADMIN:
        raise click.ClickException("--by must name an administrator.")
    if bool(code) == bool(account_email):
        raise click.ClickException("Give either --university or --account.")
    try:
        if code:
            university = db.session.scalar(
                sa.select(University).where(University.code == code.strip().upper()))
            if university is None:
                raise click.ClickException(f"No university with code {code}.")
            token, raw = tokens.create_university_token(university, name=name, scopes=scopes,
                                                        days=days, by=by)
        else:
            token, raw = tokens.create_token(_account(account_email), name=name, scopes=scopes,
                                             days=days, by=by)
    except tokens.TokenError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Token {token.prefix} ({token.scopes}), expires {token.expires_at:%Y-%m-%d}:",
               err=True)
    click.echo(raw)


@token_cli.command("list")
def list_command() -> None:
    """List every token: prefix, account, scopes, expiry, last use, state."""
    now = utcnow()
    for token in db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)):
        last = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(f"{token.prefix}  {token.account.login}  {token.scopes}  "
                   f"expires {token.expires_at:%Y-%m-%d}  last used {last}  {token.state(now)}")


@token_cli.command("revoke")
@click.argument("prefix")
@click.option("--by", "by_email", required=True, help="The administrator revoking it.")
def revoke_command(prefix: str, by_email: str) -> None:
    """Revoke the token with this prefix at once."""
    by = _account(by_email)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.prefix == prefix.strip()))
    if token is None or by.role != Role.ADMIN:
        raise click.ClickException("No such token, or --by is not an administrator.")
    tokens.revoke(token, by)
    db.session.commit()
    click.echo(f"Revoked {token.prefix}.")
