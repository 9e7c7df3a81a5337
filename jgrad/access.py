"""Who may enter a route, declared where routes are: one gate per blueprint.

Every blueprint calls ``guard(bp, ...)`` where it is created; a view that differs from its
blueprint says so with ``@allow(...)`` beside its route. ``create_app`` refuses to build an
application with a route that has neither, so no view can forget. A refusal is a 403 and an
audit event; a visitor who is not logged in is sent to the log-in page.
"""
from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, request
from flask_login import current_user

from jgrad.accounts.models import Role
from jgrad.audit import services as audit
from jgrad.audit.models import Outcome
from jgrad.extensions import db

ANYONE = "anyone"        # logged out too
SIGNED_IN = "signed_in"  # any logged-in account
EDITOR = "editor"        # university staff who may change records (not viewers)

_GATES: dict[str, frozenset[str]] = {}


def guard(bp: Blueprint, *who: str) -> None:
    """Declare who may enter every route of ``bp`` (a view may differ with ``allow``)."""
    if not who:
        raise ValueError(f"blueprint {bp.name!r}: say who may enter")
    _GATES[bp.name] = frozenset(who)
    bp.before_request(_enter)


def allow(*who: str):
    """Declare who may enter this view, instead of its blueprint's gate."""

    def decorate(view):
        view.jgrad_allowed = frozenset(who)
        return view

    return decorate


def _who_may_enter(app: Flask, endpoint: str) -> frozenset[str] | None:
    view = app.view_functions.get(endpoint)
    declared = getattr(view, "jgrad_allowed", None)
    if declared is not None:
        return declared
    blueprint = endpoint.rpartition(".")[0]
    return _GATES.get(blueprint) if blueprint in app.blueprints else None


def admits(account, who: frozenset[str]) -> bool:
    """Tell whether a logged-in account is one of ``who``."""
    if SIGNED_IN in who or account.role in who:
        return True
    return EDITOR in who and account.role == Role.STAFF and account.is_editor


def _enter():
    who = _who_may_enter(current_app, request.endpoint)
    if who is None:  # an unknown endpoint (a 404 or 405 to come): nothing to enter
        return None
    if ANYONE in who:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not admits(current_user, who):
        deny()
    return None


def ungated_endpoints(app: Flask) -> list[str]:
    """Return the endpoints whose entry nobody declared (the static files aside)."""
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()
                   if rule.endpoint != "static" and _who_may_enter(app, rule.endpoint) is None})


def check_every_route_is_gated(app: Flask) -> None:
    """Refuse to build an application with a route nobody said who may enter."""
    missing = ungated_endpoints(app)
    if missing:
        raise RuntimeError("routes without a declared gate (use jgrad.access.guard or allow): "
                           + ", ".join(missing))


def deny(status: int = 403):
    """Record the refused attempt, then refuse."""
    audit.record("access.denied", account=current_user._get_current_object(),
                 outcome=Outcome.DENIED, details={"path": request.path,
                                                  "method": request.method})
    db.session.commit()
    abort(status)
