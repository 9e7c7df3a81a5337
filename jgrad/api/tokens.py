"""Make, find, list and revoke API tokens (plain functions; the caller commits).

A token always acts as an account, so the access layer and the audit trail work unchanged.
A university's token made by an administrator acts as a service account of its own: a staff
account of that university with no password and no e-mail address, which can never sign in
on the site; revoking the token leaves the account with nothing to act through.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from jgrad.accounts.models import Account, AccountState, Role, StaffRole
from jgrad.audit import services as audit
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.api.models import SCOPES, ApiToken

PREFIX = "jgr_"
MAX_DAYS = 366


class TokenError(Exception):
    """A token that the rules do not allow; the message is shown to the person."""


def allowed_scopes(account: Account) -> frozenset[str]:
    """Return the scopes an account's role lets it hold (and use) right now."""
    if account.role == Role.ADMIN:
        return frozenset(SCOPES)
    if account.role == Role.STAFF:
        return frozenset({"records:read", "records:write"} if account.is_editor
                         else {"records:read"})
    if account.role == Role.ANALYST:
        return frozenset({"stats:read"})
    return frozenset()  # registrants use their session: the API is their portability route


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _new_raw() -> tuple[str, str]:
    """Return a visible prefix and the full token: 8 hex characters, then 256 random bits."""
    prefix = secrets.token_hex(4)
    return prefix, f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def _check(scopes, days: int, allowed: frozenset[str], name: str) -> list[str]:
    chosen = sorted(set(scopes))
    if not chosen:
        raise TokenError(_l("Choose at least one scope."))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise TokenError(_l("Unknown scope: %(scopes)s", scopes=", ".join(unknown)))
    refused = [s for s in chosen if s not in allowed]
    if refused:
        raise TokenError(_l("This account may not hold the scope(s): %(scopes)s",
                            scopes=", ".join(refused)))
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_l("A token lasts 1 to %(days)d days.", days=MAX_DAYS))
    if not name.strip() or len(name) > 100:
        raise TokenError(_l("Give the token a name of at most 100 characters."))
    return chosen


def create_token(account: Account, *, name: str, scopes, days: int, by: Account,
                 university_id: int | None = None,
                 now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token acting as ``account``; return it with the raw token (shown once)."""
    if account.state != AccountState.ACTIVE:
        raise TokenError(_l("The account is not active."))
    chosen = _check(scopes, days, allowed_scopes(account), name)
    now = now or utcnow()
    while True:
        prefix, raw = _new_raw()
        if db.session.scalar(sa.select(ApiToken.id).where(ApiToken.prefix == prefix)) is None:
            break
    token = ApiToken(prefix=prefix, token_hash=digest(raw), name=name.strip(),
                     account_id=account.id, university_id=university_id,
                     scopes=" ".join(chosen), created_by_account_id=by.id, created_at=now,
                     expires_at=now + dt.timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record("api.token.created", account=by, object_type="api_token", object_id=token.id,
                 details={"prefix": prefix, "scopes": chosen, "for_account": account.id,
                          "days": days})
    return token, raw


def create_university_token(university, *, name: str, scopes, days: int,
                            by: Account) -> tuple[ApiToken, str]:
    """An administrator's token for a university: it acts as a new service account."""
    if by.role != Role.ADMIN:
        raise TokenError(_l("Only an administrator makes a token for a university."))
    wanted = set(scopes)
    if wanted - {"records:read", "records:write"}:
        raise TokenError(_l("A university's token may hold records:read and records:write "
                            "only."))
    service = Account(role=Role.STAFF, login=f"api-{secrets.token_hex(8)}@{university.code}",
                      email=None, university_id=university.id, password_hash=None,
                      staff_role=str(StaffRole.EDITOR if "records:write" in wanted
                                     else StaffRole.VIEWER))
    db.session.add(service)
    db.session.flush()
    audit.record("account.created", account=by, object_type="account", object_id=service.id,
                 details={"role": "staff", "api_service_account": True})
    service.activate(reason="api service account", by=by)
    return create_token(service, name=name, scopes=scopes, days=days, by=by,
                        university_id=university.id)


def find(raw: str, now: dt.datetime | None = None) -> ApiToken | None:
    """Return the usable token with this raw value, with an active account, or None."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(raw)))
    if token is None or not hmac.compare_digest(token.token_hash, digest(raw)):
        return None
    now = now or utcnow()
    if not token.usable(now) or token.account.state != AccountState.ACTIVE:
        return None
    return token


def effective_scopes(token: ApiToken) -> frozenset[str]:
    """The token's scopes that its account's role still allows."""
    return token.scope_set & allowed_scopes(token.account)


def touch(token: ApiToken, now: dt.datetime) -> None:
    """Note the last use, at most once a minute (one write per minute, not per call)."""
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now))


def revoke(token: ApiToken, by: Account) -> bool:
    """Revoke a token at once; False when it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record("api.token.revoked", account=by, object_type="api_token", object_id=token.id,
                 details={"prefix": token.prefix})
    return True


def listed(account: Account | None = None) -> list[ApiToken]:
    """Tokens, newest first: every token for an administrator's list, or one account's own."""
    query = sa.select(ApiToken).order_by(ApiToken.id.desc())
    if account is not None:
        query = query.where(sa.or_(ApiToken.account_id == account.id,
                                   ApiToken.created_by_account_id == account.id))
    return list(db.session.scalars(query.limit(500)))


def manageable(account: Account, token_id: int) -> ApiToken | None:
    """Return a token this account may revoke: any for an administrator, else its own."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        return None
    if account.role == Role.ADMIN or token.account_id == account.id:
        return token
    return None
