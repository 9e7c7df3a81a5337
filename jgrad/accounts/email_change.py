"""Changing the sign-in e-mail address: asked with the password, confirmed from the new
mailbox, and told to the old one both times.

Whether another account uses the new address is not said when the change is asked (that
would let anyone with an account test addresses); the confirmation refuses it instead.
"""
from __future__ import annotations


from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.mail import services as mail

from . import tokens
from .models import Account, AccountToken, EmailStatus, Role, TokenPurpose
from .services import AccountError, account_by_email, mail_link, normalise_email


def masked(email: str) -> str:
    """Show enough of an address for its owner to recognise it: h***@example.org."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def request_change(account: Account, new_email: str) -> None:
    """Mail a confirmation link to the new address and a notice to the old one."""
    new = normalise_email(new_email)
    if new == account.email:
        raise AccountError("same")
    token = mail_link(TokenPurpose.EMAIL_CHANGE, "email_change", new, account, account.locale)
    if account.email:
        # Keyed by the token: every request, however close together, tells the old address.
        mail.queue(key=f"email-change-asked:{token.id}", kind="email_change_asked",
                   to=account.email, template="email_change_asked", locale=account.locale,
                   account_id=account.id, new=masked(new))
    audit.record("account.email_change_requested", account=account, object_type="account",
                 object_id=account.id)


def confirm_change(token: AccountToken) -> Account:
    """Make the token's address the account's sign-in address; every session ends."""
    account = db.session.get(Account, token.account_id) if token.account_id else None
    if account is None or not account.is_active:
        raise AccountError("gone")
    if account_by_email(token.email) is not None:
        raise AccountError("taken")
    if not tokens.consume(token):
        raise AccountError("used")
    old = account.email
    account.email = token.email
    if account.role != Role.REGISTRANT:
        account.login = token.email  # everyone but registrants signs in with the address
    account.email_status = EmailStatus.VALID
    account.end_sessions()
    if old:
        mail.queue(key=f"email-changed:{token.id}", kind="email_changed", to=old,
                   template="email_changed", locale=account.locale, account_id=account.id,
                   new=masked(token.email))
    audit.record("account.email_changed", account=account, object_type="account",
                 object_id=account.id)
    return account
