"""Flask-Login wiring: sessions end when the account's session version moves on."""
from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from flask import Flask
from flask_babel import lazy_gettext as _l

from jgrad.extensions import db, login_manager


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.session_protection = "basic"


@lru_cache(maxsize=1)
def _account_statement():
    """The signed-in account by id, built once. Joined: nearly every page a registrant opens
    reads their record next, and every page of a university's staff their university."""
    from jgrad.accounts.models import Account

    return sa.select(Account).where(Account.id == sa.bindparam("account_id")).options(
        sa.orm.joinedload(Account.registrant), sa.orm.joinedload(Account.university))


@login_manager.user_loader
def load_account(session_id: str):
    try:
        raw_id, raw_version, fingerprint = session_id.split(":")
        account_id, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    if not (0 < account_id < 2**31 and 0 < version < 2**31):
        return None
    account = db.session.execute(_account_statement(), {"account_id": account_id}
                                 ).scalar_one_or_none()
    if (account is None or account.session_version != version or not account.is_active
            or account.session_fingerprint() != fingerprint):
        return None
    return account
