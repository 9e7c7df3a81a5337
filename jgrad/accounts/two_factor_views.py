"""Two-factor sign-in pages: the code at log-in, enrolment, recovery codes, turning it off."""
from __future__ import annotations

import datetime as dt

from flask import (abort, current_app, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_babel import format_timedelta
from flask_login import current_user

from jgrad.access import ANYONE, SIGNED_IN, allow
from jgrad.accounts import pending, services, throttle
from jgrad.accounts import two_factor as service
from jgrad.accounts.forms import CodeForm, PasswordCodeForm
from jgrad.accounts.passwords import verify_password
from jgrad.accounts.views import _start_session, bp, home_for
from jgrad.audit import services as audit
from jgrad.audit.models import Outcome
from jgrad.extensions import db
from jgrad.i18n import gettext as _

# What an account that must enrol may still reach before it has.
ENROLMENT_ENDPOINTS = frozenset({
    "accounts.two_factor", "accounts.two_factor_setup", "accounts.logout", "static",
    "main.set_language",
})


def _too_many(form, wait: int):
    text = format_timedelta(dt.timedelta(seconds=wait), threshold=1.0, add_direction=False)
    flash(_("Too many wrong codes. Please try again in %(wait)s.", wait=text), "error")
    response = make_response(render_template("accounts/login_code.html", form=form), 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/login/code", methods=["GET", "POST"])
@allow(ANYONE)
def login_code():
    """The second step of a log-in: a code from the app, or a recovery code."""
    account, next_url = pending.pending_account()
    if account is None:
        flash(_("Please log in again."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        key = f"account:{account.id}"
        wait = throttle.wait_seconds(key, request.remote_addr)
        if wait:
            return _too_many(form, wait)
        kind = service.check_code(account, form.code.data)
        if kind is None:
            throttle.record_failure(key, request.remote_addr)
            audit.record("login.code_failed", account=account, object_type="account",
                                  object_id=account.id, outcome=Outcome.FAILURE)
            db.session.commit()
            form.code.errors.append(_("This code is not right, or it has been used already."))
        else:
            throttle.forget_account_failures(key, request.remote_addr)
            services.complete_login(account, second_factor=kind)
            db.session.commit()
            _start_session(account)
            if kind == "recovery":
                flash(_("You used a recovery code. %(count)d are left; you can make new ones "
                        "on your two-factor page.",
                        count=service.recovery_codes_left(account)), "info")
            return redirect(next_url or home_for(account))
    return render_template("accounts/login_code.html", form=form)


def _required() -> bool:
    return service.required_for(current_user, current_app.config["TWO_FACTOR_REQUIRED_ROLES"])


@bp.route("/me/two-factor")
@allow(SIGNED_IN)
def two_factor():
    """Say whether two-factor sign-in is on, and offer what can be done."""
    return render_template("accounts/two_factor.html", required=_required(),
                           left=service.recovery_codes_left(current_user),
                           form=PasswordCodeForm())


@bp.route("/me/two-factor/setup", methods=["GET", "POST"])
@allow(SIGNED_IN)
def two_factor_setup():
    """Enrol an authenticator app: a new key as a QR code, confirmed by one of its codes."""
    account = current_user._get_current_object()
    if account.uses_two_factor:
        return redirect(url_for("accounts.two_factor"))
    form = CodeForm()
    if not account.totp_key:  # a key shown before and never confirmed stays the same
        service.start_enrolment(account)
        db.session.commit()
    if request.method == "POST" and form.validate_on_submit():
        codes = service.confirm_enrolment(account, form.code.data)
        if codes is not None:
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes, first=True)
        db.session.commit()
        form.code.errors.append(_("This code is not right. Check the time on your device and "
                                  "type the code the app shows now."))
    return render_template("accounts/two_factor_setup.html", form=form,
                           qr=service.qr_svg(account), key=account.totp_key,
                           required=_required()), (422 if form.errors else 200)


def _password_and_code(form) -> bool:
    """Check the password and a current code from the app; name what is wrong."""
    account = current_user._get_current_object()
    if not verify_password(account, form.password.data):
        form.password.errors.append(_("This is not your current password."))
        return False
    if service.check_code(account, form.code.data) != "app":
        form.code.errors.append(_("This code is not right, or it has been used already."))
        return False
    return True


@bp.route("/me/two-factor/recovery-codes", methods=["POST"])
@allow(SIGNED_IN)
def two_factor_new_codes():
    """Replace the recovery codes (the old ones stop working) and show the new ones once."""
    account = current_user._get_current_object()
    form = PasswordCodeForm()
    if account.uses_two_factor and form.validate_on_submit() and _password_and_code(form):
        codes = service.new_recovery_codes(account)
        audit.record("two_factor.codes_renewed", account=account,
                              object_type="account", object_id=account.id)
        db.session.commit()
        return render_template("accounts/recovery_codes.html", codes=codes, first=False)
    db.session.commit()
    return render_template("accounts/two_factor.html", required=_required(), form=form,
                           left=service.recovery_codes_left(account)), 422


@bp.route("/me/two-factor/off", methods=["POST"])
@allow(SIGNED_IN)
def two_factor_off():
    """Turn two-factor sign-in off (never for a role that requires it)."""
    account = current_user._get_current_object()
    form = PasswordCodeForm()
    if _required():
        flash(_("Your role requires two-factor sign-in: it cannot be turned off."), "error")
        return redirect(url_for("accounts.two_factor"))
    if account.uses_two_factor and form.validate_on_submit() and _password_and_code(form):
        service.disable(account, by=account)
        db.session.commit()
        flash(_("Two-factor sign-in is off. Your password alone now logs you in."), "info")
        return redirect(url_for("accounts.two_factor"))
    db.session.commit()
    return render_template("accounts/two_factor.html", required=_required(), form=form,
                           left=service.recovery_codes_left(account)), 422


def enforce_enrolment():
    """Before each request: an account whose role requires two factors enrols first."""
    if (not current_user.is_authenticated or current_user.uses_two_factor
            or request.endpoint in ENROLMENT_ENDPOINTS or not _required()):
        return None
    if request.path.startswith("/api/"):  # a machine gets a refusal, not a page to go to
        abort(403, description=_("Your role requires two-factor sign-in. Set it up to "
                                 "continue."))
    if request.method == "GET":
        flash(_("Your role requires two-factor sign-in. Set it up to continue."), "info")
    return redirect(url_for("accounts.two_factor_setup"))
