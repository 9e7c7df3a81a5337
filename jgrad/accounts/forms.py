"""Forms for sign-up, log-in and passwords."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, FormField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from jgrad.accounts.passwords import MAX_LENGTH, password_problem
from jgrad.formtools import strip
from jgrad.registrants.forms import EnrolmentFields, ProfileFields


class EmailForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        [DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)],
        filters=[strip],
    )


class LoginForm(FlaskForm):
    identifier = StringField(_l("Doctor ID or e-mail address"), [DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=MAX_LENGTH)])


class NewPasswordForm(FlaskForm):
    """A new password, typed twice, checked against the password rules."""

    password = PasswordField(_l("New password"), [DataRequired()])
    confirm = PasswordField(
        _l("New password again"),
        [DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )

    def __init__(self, *args, identifiers: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.identifiers = identifiers

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.identifiers)
        if problem:
            raise ValidationError(problem)


class CompleteSignupForm(NewPasswordForm):
    profile = FormField(ProfileFields)
    enrolment = FormField(EnrolmentFields)


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), [DataRequired(), Length(max=MAX_LENGTH)])


class CodeForm(FlaskForm):
    """A code from the authenticator app (or, at log-in, a recovery code)."""

    code = StringField(_l("Code"), [DataRequired(), Length(max=32)], filters=[strip],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text",
                                  "autocapitalize": "none", "spellcheck": "false"})


class PasswordCodeForm(CodeForm):
    """The password and a current code: to turn two-factor sign-in off or renew codes."""

    password = PasswordField(_l("Password"), [DataRequired(), Length(max=MAX_LENGTH)])
