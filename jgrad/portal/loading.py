"""Pages load people and records only through the access layer, by decorator.

A view declares what it works on (``@with_registrant``, ``@with_record``); the decorator
loads it through ``jgrad.portal.access`` for the current account, or answers 404 (a 403
would say the record exists) and audits the attempt. No view loads a person by itself.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user

from jgrad.audit import services as audit
from jgrad.audit.models import Outcome
from jgrad.extensions import db
from jgrad.portal import access


def refuse(account, object_type: str):
    """Answer 404 and audit the attempt."""
    audit.record("record.refused", account=account, object_type=object_type,
                 outcome=Outcome.DENIED, details={"path": request.path})
    db.session.commit()
    abort(404)


def registrant_for(account, doctor_id: str):
    """Load one registrant the account may see, or refuse."""
    registrant = access.find_registrant(account, doctor_id)
    if registrant is None:
        refuse(account, "registrant")
    return registrant


def with_registrant(view):
    """Pass the registrant named by the route's ``doctor_id`` to the view, or refuse."""

    @wraps(view)
    def wrapped(doctor_id: str, **kwargs):
        return view(registrant_for(current_user, doctor_id), **kwargs)

    return wrapped


def with_record(model, *, writable: bool):
    """Pass the registrant and their ``model`` record named by ``record_id`` (None for a new
    record) to the view, or refuse; with ``writable``, only what the account may change."""

    def decorate(view):
        @wraps(view)
        def wrapped(doctor_id: str, record_id: int | None = None, **kwargs):
            registrant = registrant_for(current_user, doctor_id)
            record = None
            if record_id is not None:
                record = access.find_record(current_user, registrant, model, record_id,
                                            writable=writable)
                if record is None:
                    refuse(current_user, model.__tablename__)
            return view(registrant, record, **kwargs)

        return wrapped

    return decorate
