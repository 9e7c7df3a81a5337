"""Flask-Login wiring: sessions end when the account's session version moves on; the
session cookie is sent again on activity at most once a minute."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import sqlalchemy as sa
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature

from jgrad.extensions import db, login_manager
from jgrad.kept import kept


# A signed-in session lasts PERMANENT_SESSION_LIFETIME from the last time its cookie was
# sent: on a request that changes the session, else on the first request a minute or more
# after the cookie was made (so it ends up to a minute before "eight hours idle").
REFRESH_AFTER = dt.timedelta(minutes=1)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, knowing when their cookie was signed.

    Flask signs and sends a permanent session's cookie again on every response
    (``SESSION_REFRESH_EACH_REQUEST``), to start its lifetime afresh: a sixth of the work of
    a signed-in request that does nothing else. Here it is sent again when the session
    changed, or when the cookie is a minute old or more.
    """

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or \
            dt.datetime.now(dt.timezone.utc) - signed_at >= REFRESH_AFTER


def init_login(app: Flask) -> None:
    app.session_interface = CookieSessions()
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.session_protection = "basic"


# What the pages of each role read after the account: a registrant's own record, a staff
# member's university. Analysts and administrators read neither.
_READ_NEXT = {"registrant": ("registrant",), "staff": ("university",)}
# Each account's role as this process last loaded it (a role never changes), so that the
# next load joins what that role reads and nothing else: a staff member's account joined to
# an empty registrant cost 26 columns of nothing. An account not yet seen is joined to both.
_ROLES: dict[int, str] = {}
ROLES_KEPT = 100_000


@lru_cache(maxsize=8)
def _account_statement(role: str | None):
    """The signed-in account by id, built once for each role."""
    from jgrad.accounts.models import Account

    joined = _READ_NEXT.get(role, ()) if role is not None else ("registrant", "university")
    return sa.select(Account).where(Account.id == sa.bindparam("account_id")).options(
        *(sa.orm.joinedload(getattr(Account, name)) for name in joined))


@login_manager.user_loader
def load_account(session_id: str):
    try:
        raw_id, raw_version, fingerprint = session_id.split(":")
        account_id, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    if not (0 < account_id < 2**31 and 0 < version < 2**31):
        return None
    account = db.session.execute(_account_statement(_ROLES.get(account_id)),
                                 {"account_id": account_id}).scalar_one_or_none()
    if (account is None or account.session_version != version or not account.is_active
            or account.session_fingerprint() != fingerprint):
        return None
    if account_id not in _ROLES:
        kept(_ROLES, account_id, lambda: str(account.role), ROLES_KEPT)
    return account
