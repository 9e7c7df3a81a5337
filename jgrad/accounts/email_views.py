"""The page to change one's sign-in e-mail address, and the confirmation link's page."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from jgrad.access import ANYONE, SIGNED_IN, allow
from jgrad.accounts import email_change
from jgrad.accounts.models import TokenPurpose
from jgrad.accounts.passwords import MAX_LENGTH, verify_password
from jgrad.accounts.services import AccountError
from jgrad.accounts.views import _limit, _token_from_link, bp
from jgrad.extensions import db
from jgrad.formtools import strip
from jgrad.i18n import gettext as _

REFUSALS = {
    "taken": _l("Another account uses this address, so it cannot become yours. Nothing was "
                "changed."),
    "gone": _l("This account cannot be changed any more."),
    "used": _l("This link has been used already."),
}


class EmailChangeForm(FlaskForm):
    email = EmailField(_l("New e-mail address"),
                       [DataRequired(), Email(message=_l("Enter a valid e-mail address.")),
                        Length(max=254)], filters=[strip])
    password = PasswordField(_l("Current password"), [DataRequired(), Length(max=MAX_LENGTH)])


@bp.route("/me/email", methods=["GET", "POST"])
@allow(SIGNED_IN)
@_limit("RESET_RATE_LIMIT")
def change_email():
    """Ask for a new sign-in address: the password again, then a link to the new mailbox."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        account = current_user._get_current_object()
        if not verify_password(account, form.password.data):
            form.password.errors.append(_("This is not your current password."))
        else:
            try:
                email_change.request_change(account, form.email.data)
            except AccountError:
                form.email.errors.append(_("This is your sign-in address already."))
            else:
                db.session.commit()
                return render_template("accounts/check_mail.html", email=form.email.data,
                                       purpose="email_change")
    return render_template("accounts/change_email.html", form=form,
                           hours=current_app.config["RESET_TOKEN_HOURS"])


@bp.route("/me/email/confirm", methods=["GET", "POST"])
@allow(ANYONE)
@_limit("LINK_FORM_RATE_LIMIT")
def email_confirm():
    """Confirm a new sign-in address from the link mailed to it (a button, not the link)."""
    token, response = _token_from_link(TokenPurpose.EMAIL_CHANGE, "accounts.email_confirm")
    if response is not None:
        return response
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            account = email_change.confirm_change(token)
            db.session.commit()
        except (AccountError, IntegrityError) as error:
            db.session.rollback()
            reason = error.args[0] if isinstance(error, AccountError) else "taken"
            flash(str(REFUSALS.get(reason, REFUSALS["gone"])), "error")
            return redirect(url_for("accounts.login"))
        logout_user()
        flash(_("Your sign-in address is now %(email)s. Log in again with it.",
                email=account.email), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/confirm_email.html", form=form, email=token.email)
