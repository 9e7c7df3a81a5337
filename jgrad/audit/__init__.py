"""The audit trail: every read of a person's record by someone else, every change and export."""


def _access_row(event) -> dict:
    """One event as the registrant's download shows it (who, never which staff member)."""
    return {"at": event.at.isoformat() if event.at else None, "action": event.action,
            "actor_role": event.actor_role, "actor_university_id": event.actor_university_id,
            "outcome": str(event.outcome)}


def init_app(app) -> None:
    from jgrad.audit.models import AuditEvent
    from jgrad.registry import register_personal_table

    # Kept by deletion (the institute's record of what happened), unlinked from the person.
    register_personal_table(app, AuditEvent, person="subject_registrant_id",
                            download="access_events", row=_access_row, delete=False)
