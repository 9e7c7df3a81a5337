"""Who acts on a record: the registrant, a university or the institute."""
from __future__ import annotations

from dataclasses import dataclass

from jgrad.enums import StrEnum


class Source(StrEnum):
    REGISTRANT = "registrant"
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The party behind a change, carried explicitly into every service."""

    source: Source
    account_id: int | None = None
    university_id: int | None = None
    # What the actor acted through, named in the history (e.g. the survey whose answers
    # updated the record); None for a change made directly.
    via: str | None = None

    @classmethod
    def for_account(cls, account) -> "Actor":
        """Return the actor an account acts as."""
        # Roles by value: actors sit below accounts and import nothing of it.
        if account.role == "registrant":
            return cls(Source.REGISTRANT, account.id)
        if account.role == "staff":
            return cls(Source.UNIVERSITY, account.id, account.university_id)
        return cls(Source.INSTITUTE, account.id)

    @classmethod
    def system(cls) -> "Actor":
        """Return the actor for scheduled jobs and command-line operations."""
        return cls(Source.SYSTEM)
