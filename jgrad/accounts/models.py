"""Accounts, their lifecycle states and the tokens sent in links."""
from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jgrad.audit import services as audit
from jgrad.db import utcnow
from jgrad.enums import StrEnum, enum_column
from jgrad.extensions import db


class Role(StrEnum):
    REGISTRANT = "registrant"
    STAFF = "staff"
    ANALYST = "analyst"
    ADMIN = "admin"


class AccountState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"


class EmailStatus(StrEnum):
    UNVERIFIED = "unverified"
    VALID = "valid"
    INVALID = "invalid"


class StaffRole(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"


class TokenPurpose(StrEnum):
    SIGNUP = "signup"
    RESET = "reset"
    EMAIL_CHANGE = "email_change"


class InvalidTransition(Exception):
    """An account was asked to move to a state it cannot reach from where it is."""


# Which states each state may move to.
TRANSITIONS = {
    AccountState.PENDING: {AccountState.ACTIVE, AccountState.SUSPENDED, AccountState.DELETED},
    AccountState.ACTIVE: {AccountState.SUSPENDED, AccountState.DELETED},
    AccountState.SUSPENDED: {AccountState.ACTIVE, AccountState.DELETED},
    AccountState.DELETED: set(),
}


class Account(UserMixin, db.Model):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Doctor ID for registrants, the e-mail address for everyone else.
    login: Mapped[str] = mapped_column(sa.String(254), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    email_status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus, 16), default=EmailStatus.UNVERIFIED
    )
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, 16), index=True)
    university_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("universities.id", ondelete="RESTRICT"), index=True
    )
    # Staff only: "viewer" reads; "editor" may also import, correct and contact.
    staff_role: Mapped[str | None] = mapped_column(sa.String(16))
    state: Mapped[AccountState] = mapped_column(
        enum_column(AccountState, 16), default=AccountState.PENDING, index=True
    )
    state_reason: Mapped[str | None] = mapped_column(sa.String(64))
    state_changed_at: Mapped[dt.datetime | None]
    # Bumped to end every session of the account (password change, suspension, deletion).
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    # The language mail to this account is written in.
    locale: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    # Two-factor sign-in (jgrad.accounts.two_factor): the TOTP key, set when enrolment
    # starts and in force once confirmed; the last time step used, so no code works twice.
    totp_key: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[dt.datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    university = relationship("University")
    registrant = relationship(
        "Registrant",
        back_populates="account",
        uselist=False,
        foreign_keys="Registrant.account_id",
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'staff') = (university_id IS NOT NULL)", name="staff_has_university"
        ),
    )

    def get_id(self) -> str:
        """Name the account in the session cookie, with the session version it holds."""
        return f"{self.id}:{self.session_version}:{self.session_fingerprint()}"

    def session_fingerprint(self) -> str:
        """Tell this account apart from a later one given the same id (SQLite reuses ids)."""
        return hashlib.sha256(f"{self.id}:{self.login}".encode()).hexdigest()[:16]

    @property
    def is_editor(self) -> bool:
        """Tell whether a staff member may import, correct and contact."""
        return self.role == Role.STAFF and self.staff_role == StaffRole.EDITOR

    @property
    def uses_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_active(self) -> bool:
        return self.state == AccountState.ACTIVE

    def end_sessions(self) -> None:
        """Invalidate every session this account has open anywhere."""
        self.session_version = (self.session_version or 1) + 1

    def _move(self, new_state: AccountState, *, reason: str | None, by=None) -> None:
        if new_state not in TRANSITIONS[self.state]:
            raise InvalidTransition(f"{self.state} -> {new_state}")
        old_state = self.state
        self.state = new_state
        self.state_reason = reason
        self.state_changed_at = utcnow()
        if new_state in (AccountState.SUSPENDED, AccountState.DELETED):
            self.end_sessions()  # every path that stops an account ends its sessions here
        audit.record(
            f"account.{new_state}",
            account=by,
            object_type="account",
            object_id=self.id,
            subject_registrant_id=self.registrant.id if self.registrant else None,
            details={"from": str(old_state), "reason": reason},
        )

    @classmethod
    def suspend_many(cls, account_ids: list[int], *, reason: str, now: dt.datetime,
                     subjects: dict[int, int] | None = None) -> int:
        """Suspend many accounts in one statement, with the same rule and audit as ``suspend``.

        ``subjects`` maps account ids to the registrants they belong to, so that each audit
        event names whose account it was (the caller knows; accounts know no registrants).
        """
        allowed = [str(s) for s, targets in TRANSITIONS.items()
                   if AccountState.SUSPENDED in targets]
        table = cls.__table__
        movable = list(db.session.scalars(
            sa.select(cls.id).where(cls.id.in_(account_ids), cls.state.in_(allowed))))
        if not movable:
            return 0
        db.session.execute(
            table.update()
            .where(table.c.id.in_(movable))
            .values(state=str(AccountState.SUSPENDED), state_reason=reason,
                    state_changed_at=now, session_version=table.c.session_version + 1)
        )
        audit.record_many("account.suspended", object_type="account", object_ids=movable,
                          details={"reason": reason}, at=now,
                          subject_registrant_ids=[(subjects or {}).get(a) for a in movable])
        return len(movable)

    def activate(self, *, reason: str | None = None, by=None) -> None:
        """Make the account usable (after sign-up, or lifting a suspension)."""
        self._move(AccountState.ACTIVE, reason=reason, by=by)

    def suspend(self, *, reason: str, by=None) -> None:
        """Stop the account's use of the system and end its sessions."""
        self._move(AccountState.SUSPENDED, reason=reason, by=by)

    def __repr__(self) -> str:
        return f"<Account {self.login} {self.role} {self.state}>"


# The dormancy check selects registrants by last activity (jgrad.lifecycle.dormancy): the
# few unseen for years are found by walking this index, not by reading every account.
sa.Index("ix_accounts_last_activity", Account.role,
         sa.func.coalesce(Account.last_login_at, Account.created_at))


class AccountToken(db.Model):
    """A single-use secret mailed in a link; only its hash is kept."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, 16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    used_at: Mapped[dt.datetime | None]

    account = relationship("Account")


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None]
