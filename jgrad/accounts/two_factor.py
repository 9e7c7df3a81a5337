"""Two-factor sign-in: enrol an authenticator app, check its codes, recovery codes.

Offered to every account and required for the roles in ``TWO_FACTOR_REQUIRED_ROLES``
(administrators by default): until such an account has enrolled, its session reaches only
the enrolment page (``jgrad.accounts.two_factor_views``). Enrolment stores a new key, shows
it as a QR code drawn here, and takes effect when the person types a code from the app. Ten
recovery codes are shown once and kept only as hashes; each works once. Every change is
audited.
"""
from __future__ import annotations

import hashlib
import io
import secrets

import segno
import sqlalchemy as sa

from jgrad.audit import services as audit
from jgrad.audit.models import Outcome
from jgrad.db import utcnow
from jgrad.extensions import db

from . import totp
from .models import Account, RecoveryCode

ISSUER = "JGRAD"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def required_for(account: Account, required_roles) -> bool:
    """Tell whether ``account`` must enrol before using the site."""
    return str(account.role) in {str(role) for role in required_roles}


def start_enrolment(account: Account) -> str:
    """Give the account a new key awaiting confirmation; return it (an enrolled one keeps its own)."""
    if account.uses_two_factor:
        raise ValueError("already enrolled")
    account.totp_key = totp.new_key()
    account.totp_last_step = None
    return account.totp_key


def qr_svg(account: Account) -> str:
    """Draw the enrolment QR code (the otpauth:// address) as an inline SVG element."""
    uri = totp.provisioning_uri(account.totp_key, account.email or account.login, ISSUER)
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, xmldecl=False, svgns=True,
                                    title="QR", nl=False)
    return out.getvalue().decode("utf-8")


def confirm_enrolment(account: Account, code: str) -> list[str] | None:
    """Turn two-factor sign-in on when ``code`` matches; return the new recovery codes."""
    if account.uses_two_factor or not account.totp_key:
        return None
    step = totp.matching_step(account.totp_key, code)
    if step is None:
        audit.record("two_factor.enrol_failed", account=account, object_type="account",
                     object_id=account.id, outcome=Outcome.FAILURE)
        return None
    account.totp_last_step = step
    account.totp_enabled_at = utcnow()
    codes = new_recovery_codes(account)
    audit.record("two_factor.enabled", account=account, object_type="account",
                 object_id=account.id)
    return codes


def _hash(code: str) -> str:
    return hashlib.sha256(totp.normalise(code).lower().encode("utf-8")).hexdigest()


def new_recovery_codes(account: Account) -> list[str]:
    """Replace the account's recovery codes with new ones; return them (shown once)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    codes = ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(2))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(account_id=account.id, code_hash=_hash(code))
                       for code in codes)
    db.session.flush()
    return codes


def recovery_codes_left(account: Account) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))) or 0


def check_code(account: Account, code: str) -> str | None:
    """Check a sign-in code (from the app, or a recovery code); return which kind, or None.

    The app's code is taken once: its time step is remembered, and that step and every
    earlier one are refused from then on. A recovery code is used up.
    """
    if not account.uses_two_factor:
        return None
    step = totp.matching_step(account.totp_key, code, last_used_step=account.totp_last_step)
    if step is not None:
        # A conditional update, so two requests racing with the same code cannot both win.
        won = db.session.execute(
            sa.update(Account).where(Account.id == account.id, sa.or_(
                Account.totp_last_step.is_(None), Account.totp_last_step < step))
            .values(totp_last_step=step)).rowcount
        db.session.refresh(account, ["totp_last_step"])
        return "app" if won else None
    used = db.session.execute(
        sa.update(RecoveryCode).where(
            RecoveryCode.account_id == account.id, RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())).rowcount
    if used:
        audit.record("two_factor.recovery_code_used", account=account, object_type="account",
                     object_id=account.id, details={"left": recovery_codes_left(account)})
        return "recovery"
    return None


def disable(account: Account, *, by: Account) -> None:
    """Turn two-factor sign-in off: the key and the recovery codes go."""
    account.totp_key = None
    account.totp_enabled_at = None
    account.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    audit.record("two_factor.disabled", account=by, object_type="account", object_id=account.id)
