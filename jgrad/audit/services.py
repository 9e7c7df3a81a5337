"""Write audit events; the web layer says where a request came from (``request_origin``)."""
from __future__ import annotations

from contextvars import ContextVar

import sqlalchemy as sa

from jgrad.audit.models import AuditEvent, Outcome
from jgrad.extensions import db

# The client address and request id of the request being served (None outside requests).
_origin: ContextVar[tuple[str | None, str | None]] = ContextVar(
    "jgrad_audit_origin", default=(None, None))


def set_request_origin(ip: str | None, request_id: str | None):
    """Stamp the events written from now on with a request's address and id; return the
    token that ``clear_request_origin`` takes when the request ends."""
    return _origin.set((ip, request_id))


def clear_request_origin(token) -> None:
    _origin.reset(token)


def _request_origin() -> tuple[str | None, str | None]:
    return _origin.get()


def record(
    action: str,
    *,
    account=None,
    object_type: str | None = None,
    object_id=None,
    subject_registrant_id: int | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    details: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction and return it."""
    ip, request_id = _request_origin()
    event = AuditEvent(
        actor_account_id=getattr(account, "id", None),
        actor_role=str(account.role) if account is not None else None,
        actor_university_id=getattr(account, "university_id", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        subject_registrant_id=subject_registrant_id,
        ip=ip,
        request_id=request_id,
        outcome=outcome,
        details=details,
    )
    db.session.add(event)
    return event


def record_many(action: str, *, object_type: str, object_ids: list[int], details: dict | None,
                at, subject_registrant_ids: list[int | None] | None = None,
                account=None) -> None:
    """Write one event per object in a single statement (bulk operations and jobs)."""
    subjects = subject_registrant_ids or [None] * len(object_ids)
    ip, request_id = _request_origin()
    actor = dict(
        actor_account_id=getattr(account, "id", None),
        actor_role=str(account.role) if account is not None else None,
        actor_university_id=getattr(account, "university_id", None),
        ip=ip, request_id=request_id,
    )
    rows = [
        dict(at=at, action=action, object_type=object_type, object_id=str(object_id),
             subject_registrant_id=subject, outcome=str(Outcome.SUCCESS), details=details,
             **actor)
        for object_id, subject in zip(object_ids, subjects, strict=True)
    ]
    if rows:
        db.session.execute(sa.insert(AuditEvent.__table__), rows)
