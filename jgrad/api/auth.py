"""Who calls the API: a bearer token (for this request only) or the browser's session.

A token acts as its account for the one request: ``current_user`` is that account, no
session is read or written, no cookie is set. Only token requests skip the CSRF check: a
browser session's writes must carry the ``X-CSRFToken`` header, as its forms do.
"""
from __future__ import annotations

import hashlib

from flask import current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from jgrad.api import tokens
from jgrad.api.problems import Problem
from jgrad.audit import services as audit
from jgrad.audit.models import Outcome
from jgrad.db import utcnow
from jgrad.extensions import csrf, db
from jgrad.i18n import gettext as _

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def bearer() -> str | None:
    """Return the raw bearer token of this request, None without an Authorization header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _space, raw = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Problem(401, detail=_("Use 'Authorization: Bearer <token>'."))
    return raw.strip()


def rate_key() -> str:
    """Count requests per token (per client address for sessions and anonymous calls)."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()
    if current_user.is_authenticated:
        return f"api-account:{current_user.id}"
    return f"api-client:{request.remote_addr}"


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def refused_limit() -> str:
    return current_app.config["API_REFUSED_RATE_LIMIT"]


def authenticate() -> None:
    """Run before the gate: put the token's account in place, or check the session's CSRF."""
    raw = bearer()
    if raw is None:
        if request.method in UNSAFE and current_user.is_authenticated:
            try:
                csrf.protect()
            except CSRFError as error:
                raise Problem(400, detail=_("%(reason)s Send it in X-CSRFToken.",
                                            reason=error.description)) from error
        return
    now = utcnow()
    token = tokens.find(raw, now)
    if token is None:
        audit.record("api.token.refused", outcome=Outcome.DENIED,
                     details={"path": request.path, "prefix": raw[4:12]})
        db.session.commit()
        raise Problem(401, detail=_("The token is unknown, expired or revoked."))
    g.api_token = token
    g.api_scopes = tokens.effective_scopes(token)
    g._login_user = token.account  # this request only: nothing goes into the session
    tokens.touch(token, now)
    db.session.commit()


def audit_call(response):
    """Write one audit event per call, naming the token (the request id ties it to the
    events the call itself wrote)."""
    if not current_user.is_authenticated:
        return response
    token = g.get("api_token")
    audit.record("api.call", account=current_user._get_current_object(), object_type="api_token"
                 if token else None, object_id=token.id if token else None,
                 outcome=Outcome.SUCCESS if response.status_code < 400 else Outcome.DENIED,
                 details={"method": request.method, "path": request.path,
                          "status": response.status_code,
                          "token": token.prefix if token else None})
    try:
        db.session.commit()
    except Exception:  # the response is already decided; the failure goes to the log
        db.session.rollback()
        current_app.logger.exception("api.call audit event not written")
    return response
