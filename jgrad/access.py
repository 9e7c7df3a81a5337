"""Role checks for views: a refusal is a 403 and an audit event."""
from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

from jgrad.audit import services as audit
from jgrad.audit.models import Outcome
from jgrad.extensions import db


def deny(status: int = 403):
    """Record the refused attempt, then refuse."""
    audit.record("access.denied", account=current_user._get_current_object(),
                 outcome=Outcome.DENIED, details={"path": request.path,
                                                  "method": request.method})
    db.session.commit()
    abort(status)


def roles_required(*roles):
    """Let only logged-in accounts with one of ``roles`` through."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                deny()
            return view(*args, **kwargs)

        return wrapped

    return decorate
