"""Write audit events; the web layer supplies the client address through ``g``."""
from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_request_context

from jgrad.audit.models import AuditEvent, Outcome
from jgrad.extensions import db


def _request_origin() -> tuple[str | None, str | None]:
    if not has_request_context():
        return None, None
    return g.get("client_ip"), g.get("request_id")


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
