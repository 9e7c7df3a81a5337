"""Sign-up, log-in, password reset and account creation."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app

from jgrad.accounts import signals, throttle, tokens
from jgrad.accounts.models import Account, AccountState, EmailStatus, Role, TokenPurpose
from jgrad.accounts.passwords import hash_password, password_problem, verify_password
from jgrad.audit import services as audit
from jgrad.audit.models import Outcome
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.identifiers import is_valid_doctor_id, new_doctor_id
from jgrad.words import words


class AccountError(Exception):
    """A request about an account that cannot be carried out; the message is safe to show."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def account_by_email(email: str) -> Account | None:
    return db.session.scalar(sa.select(Account).where(Account.email == normalise_email(email)))


def normalise_identifier(identifier: str) -> str:
    """Return a Doctor ID in capitals or an e-mail address in small letters."""
    identifier = (identifier or "").strip()
    return identifier.upper() if is_valid_doctor_id(identifier) else normalise_email(identifier)


def account_by_identifier(identifier: str) -> Account | None:
    """Find an account by Doctor ID or e-mail address."""
    identifier = (identifier or "").strip()
    if is_valid_doctor_id(identifier):
        return db.session.scalar(sa.select(Account).where(Account.login == identifier.upper()))
    return account_by_email(identifier)


def request_signup(email: str, locale: str) -> None:
    """Mail a set-password link; the page says the same whether or not the address is known."""
    email = normalise_email(email)
    account = account_by_email(email)
    if account is not None and account.state in (AccountState.ACTIVE, AccountState.SUSPENDED):
        mail.queue(
            key=f"signup-existing:{account.id}:{secrets.token_hex(8)}",
            kind="signup_existing",
            to=email,
            template="signup_existing",
            locale=locale,
            account_id=account.id,
            login_url=mail.external_url("accounts.login"),
            reset_url=mail.external_url("accounts.reset_request"),
        )
    elif account is None or account.state == AccountState.PENDING:
        mail_link(TokenPurpose.SIGNUP, "signup", email, account, locale)
    audit.record("signup.requested", object_type="email")


def complete_signup(token, password: str, locale: str = "en", create_record=None) -> Account:
    """Use a sign-up token: set the password and activate the account.

    A token for a new address creates a registrant account (its login a new Doctor ID) and
    calls ``create_record(account)`` to create the person's record before activation; a
    token for a pending account (an invitation) only sets the password.
    """
    if not tokens.consume(token):
        raise AccountError("token")
    if token.account_id is not None:
        account = db.session.get(Account, token.account_id)
        if account is None or account.state != AccountState.PENDING:
            raise AccountError("token")
    else:
        if account_by_email(token.email) is not None or create_record is None:
            raise AccountError("token")
        account = Account(role=Role.REGISTRANT, email=token.email, login=_unused_doctor_id())
        db.session.add(account)
        db.session.flush()
    problem = password_problem(password, (account.email or "", account.login))
    if problem:
        raise AccountError(problem)
    account.password_hash = hash_password(password)
    account.email_status = EmailStatus.VALID  # following the link proved the address
    account.locale = locale
    if account.role == Role.REGISTRANT and account.registrant is None:
        if create_record is None:
            raise AccountError("token")
        create_record(account)
    account.activate(reason="signup", by=account)
    # Setting the password logs the person in (rule 9: for an imported, pending registrant
    # this is the first log-in, and it ends any dormancy).
    account.last_login_at = utcnow()
    signals.signed_in.send(account, at=account.last_login_at)
    return account


def _unused_doctor_id() -> str:
    while True:
        candidate = new_doctor_id()
        taken = db.session.scalar(sa.select(Account.id).where(Account.login == candidate))
        if taken is None:
            return candidate


class LoginThrottled(Exception):
    """Too many failed log-ins for an identifier or from a client; ``wait`` is in seconds."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


def authenticate(identifier: str, password: str,
                 client: str | None = None) -> tuple[Account | None, str | None]:
    """Check credentials; return the account, or None and why (``invalid`` or the state).

    An account with two-factor sign-in comes back with ``"two_factor"``: its password is
    right, and the log-in is complete only after :func:`complete_login`.

    Raise LoginThrottled, without looking at the password, while the identifier or the
    client (an IP address) has too many recent failures.
    """
    account = account_by_identifier(identifier)
    # An account is counted as one whichever of its identifiers is typed; an unknown
    # identifier is counted by its normalised form, so both lock out alike.
    key = f"account:{account.id}" if account else f"identifier:{normalise_identifier(identifier)}"
    wait = throttle.wait_seconds(key, client)
    if wait:
        audit.record("login.throttled", object_type="account",
                     object_id=account.id if account else None, outcome=Outcome.DENIED)
        raise LoginThrottled(wait)
    if not verify_password(account, password):
        throttle.record_failure(key, client)
        audit.record(
            "login.failed",
            object_type="account",
            object_id=account.id if account else None,
            outcome=Outcome.FAILURE,
        )
        return None, "invalid"
    throttle.forget_account_failures(key, client)
    if account.state == AccountState.SUSPENDED and account.state_reason == "dormancy":
        account.activate(reason="login_after_dormancy", by=account)  # rule 9: logging in ends it
    if account.state != AccountState.ACTIVE:
        audit.record(
            "login.refused", account=account, object_type="account", object_id=account.id,
            outcome=Outcome.DENIED, details={"state": str(account.state)},
        )
        return None, str(account.state)
    if account.uses_two_factor:
        # The password is right; the log-in completes when the code is (complete_login).
        audit.record("login.password_accepted", account=account, object_type="account",
                     object_id=account.id)
        return account, "two_factor"
    complete_login(account)
    return account, None


def complete_login(account: Account, *, second_factor: str | None = None) -> None:
    """Record a finished log-in: its time, the signal (a log-in ends a dormancy), the audit."""
    account.last_login_at = utcnow()
    signals.signed_in.send(account, at=account.last_login_at)
    audit.record("login.succeeded", account=account, object_type="account", object_id=account.id,
                 details={"second_factor": second_factor} if second_factor else None)


def log_out(account: Account) -> None:
    """End the account's sessions on the server, so a copy of the cookie is worth nothing."""
    account.end_sessions()
    audit.record("logout", account=account, object_type="account", object_id=account.id)


def request_reset(email: str, locale: str) -> None:
    """Mail a reset link to an active account; say nothing about unknown addresses."""
    account = account_by_email(email)
    if account is not None and account.state == AccountState.ACTIVE:
        mail_link(TokenPurpose.RESET, "reset", account.email, account, locale)
    audit.record("reset.requested", object_type="email")


def complete_reset(token, password: str, locale: str) -> Account:
    """Set a new password from a reset link and end every session of the account."""
    account = db.session.get(Account, token.account_id) if token.account_id else None
    if account is None or account.state != AccountState.ACTIVE:
        raise AccountError("token")
    set_password(account, password, locale=locale)
    if not tokens.consume(token):
        raise AccountError("token")
    return account


def set_password(account: Account, password: str, *, locale: str = "en") -> None:
    """Store a new password, end all sessions and tell the owner by mail."""
    problem = password_problem(password, (account.email or "", account.login))
    if problem:
        raise AccountError(problem)
    account.password_hash = hash_password(password)
    account.end_sessions()
    audit.record("password.changed", account=account, object_type="account", object_id=account.id)
    if account.email:
        mail.queue(
            key=f"password-changed:{account.id}:{account.session_version}",
            kind="password_changed",
            to=account.email,
            template="password_changed",
            locale=locale,
            account_id=account.id,
            reset_url=mail.external_url("accounts.reset_request"),
        )


def create_account(
    *, role: Role, email: str, password: str | None, university_id: int | None = None,
    staff_role: str | None = None, by=None, locale: str = "en",
) -> Account:
    """Create a staff, analyst or administrator account (registrants sign up instead)."""
    email = normalise_email(email)
    if role == Role.REGISTRANT:
        raise AccountError("Registrants are created by sign-up or by a university import.")
    if (role == Role.STAFF) != (university_id is not None):
        raise AccountError("A staff account needs a university, and only a staff account has one.")
    if account_by_email(email) is not None:
        raise AccountError(f"An account with the e-mail address {email} exists already.")
    account = Account(role=role, email=email, login=email, university_id=university_id,
                      staff_role=(staff_role or "viewer") if role == Role.STAFF else None,
                      locale=locale)
    if password is not None:
        problem = password_problem(password, (email,))
        if problem:
            raise AccountError(problem)
        account.password_hash = hash_password(password)
    db.session.add(account)
    db.session.flush()
    audit.record("account.created", account=by, object_type="account", object_id=account.id,
                 details={"role": str(role)})
    if password is not None:
        account.activate(reason="created", by=by)
    else:
        invite(account, locale)
    return account


def invite(account: Account, locale: str = "en") -> None:
    """Mail a pending account a link to set its password, naming its role and university."""
    # Lazy words: the mail is rendered in the recipient's language, not the inviter's.
    university = account.university
    mail_link(TokenPurpose.SIGNUP, "invite", account.email, account, locale,
              role=words("role", account.role),
              staff_role=words("staff_role", account.staff_role),
              university=(university.name_ja if locale == "ja" else university.name_en)
              if university is not None else None)


LINK_PAGES = {
    TokenPurpose.SIGNUP: ("accounts.signup_complete", "SIGNUP_TOKEN_HOURS"),
    TokenPurpose.RESET: ("accounts.reset_complete", "RESET_TOKEN_HOURS"),
    TokenPurpose.EMAIL_CHANGE: ("accounts.email_confirm", "RESET_TOKEN_HOURS"),
}


def mail_link(purpose: TokenPurpose, kind: str, email: str, account: Account | None,
              locale: str, **context):
    """Issue a single-use token, queue the mail that carries its link; return the token."""
    endpoint, hours_setting = LINK_PAGES[purpose]
    hours = current_app.config[hours_setting]
    account_id = account.id if account is not None else None
    token, raw = tokens.issue(purpose, email, hours=hours, account_id=account_id)
    mail.queue(
        key=f"{kind}:{token.id}",
        kind=kind,
        to=email,
        template=kind,
        locale=locale,
        account_id=account_id,
        link=mail.external_url(endpoint, token=mail.SECRET_SLOT),
        link_secret=raw,
        hours=hours,
        **context,
    )
    return token
