"""Sign-up, log-in, log-out and password reset pages."""
from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta, get_locale
from flask_login import current_user, login_user, logout_user

from jgrad.access import ANYONE, SIGNED_IN, allow, guard
from jgrad.accounts import services, tokens
from jgrad.accounts.forms import (
    ChangePasswordForm,
    CompleteSignupForm,
    EmailForm,
    LoginForm,
    NewPasswordForm,
)
from jgrad.accounts.models import Role, TokenPurpose
from jgrad.accounts.passwords import verify_password
from jgrad.accounts.pending import begin_second_step
from jgrad.extensions import db, limiter
from jgrad.i18n import gettext as _
from jgrad.redirects import safe_next
from jgrad.registrants import services as records
from jgrad.registrants.forms import values_of

bp = Blueprint("accounts", __name__)
guard(bp, ANYONE)  # signing up, in and out; the password page says otherwise


def _limit(name: str):
    return limiter.limit(lambda: current_app.config[name], methods=["POST"])


def _locale() -> str:
    return str(get_locale())


def home_for(account) -> str:
    if account.role == Role.REGISTRANT:
        return url_for("registrants.overview")
    if account.role == Role.ADMIN:
        return url_for("admin.dashboard_page")
    if account.role == Role.ANALYST:
        return url_for("statistics.releases")
    if account.role == Role.STAFF:
        return url_for("portal.alumni")
    return url_for("main.index")


def _start_session(account) -> None:
    """Log an account in on a fresh session (no state carried over from before)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(account)
    session.permanent = True


@bp.route("/signup", methods=["GET", "POST"])
@_limit("SIGNUP_RATE_LIMIT")
def signup():
    form = EmailForm()
    if form.validate_on_submit():
        services.request_signup(form.email.data, _locale())
        db.session.commit()
        return render_template("accounts/check_mail.html", email=form.email.data, purpose="signup")
    return render_template("accounts/signup.html", form=form)


def _token_from_link(purpose: TokenPurpose, endpoint: str):
    """Move a token from the link's query string into the session, off the address bar."""
    key = f"{purpose}_token"
    if "token" in request.args:
        session[key] = request.args["token"][:128]
        return None, redirect(url_for(endpoint))
    token = tokens.find_usable(session.get(key), purpose)
    if token is None:
        session.pop(key, None)
        return None, (render_template("accounts/link_invalid.html"), 400)
    return token, None


@bp.route("/signup/complete", methods=["GET", "POST"])
@_limit("LINK_FORM_RATE_LIMIT")
def signup_complete():
    token, response = _token_from_link(TokenPurpose.SIGNUP, "accounts.signup_complete")
    if response is not None:
        return response
    new_person = token.account_id is None
    form_class = CompleteSignupForm if new_person else NewPasswordForm
    form = form_class(identifiers=(token.email,))
    if form.validate_on_submit():
        try:
            account = services.complete_signup(
                token, form.password.data, locale=_locale(),
                create_record=(lambda account: records.create_from_signup(
                    account, values_of(form.profile), values_of(form.enrolment)))
                if new_person else None)
        except services.AccountError:
            db.session.rollback()
            return render_template("accounts/link_invalid.html"), 400
        db.session.commit()
        _start_session(account)
        if account.role == Role.REGISTRANT:
            return redirect(url_for("registrants.welcome"))
        return redirect(home_for(account))
    return render_template(
        "accounts/signup_complete.html", form=form, email=token.email, new_person=new_person
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    # Failed log-ins are limited per account and per client inside authenticate(); a
    # successful one is never counted.
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            account, reason = services.authenticate(form.identifier.data, form.password.data,
                                                    client=request.remote_addr)
        except services.LoginThrottled as locked:
            db.session.commit()
            wait = format_timedelta(dt.timedelta(seconds=locked.wait), threshold=1.0,
                                    add_direction=False)
            flash(_("Too many failed log-ins for this account or from this address. "
                    "Please try again in %(wait)s.", wait=wait), "error")
            response = make_response(render_template("accounts/login.html", form=form), 429)
            response.headers["Retry-After"] = str(locked.wait)
            return response
        db.session.commit()
        if account is not None and reason == "two_factor":
            return begin_second_step(account, safe_next(request.args.get("next")))
        if account is not None:
            _start_session(account)
            return redirect(safe_next(request.args.get("next")) or home_for(account))
        if reason == "suspended":
            flash(_("This account is suspended. Use the contact form if you have questions."),
                  "error")
        else:
            flash(_("The Doctor ID, e-mail address or password is not right."), "error")
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.log_out(current_user._get_current_object())
        db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/reset", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def reset_request():
    form = EmailForm()
    if form.validate_on_submit():
        services.request_reset(form.email.data, _locale())
        db.session.commit()
        return render_template("accounts/check_mail.html", email=form.email.data, purpose="reset")
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/complete", methods=["GET", "POST"])
@_limit("LINK_FORM_RATE_LIMIT")
def reset_complete():
    token, response = _token_from_link(TokenPurpose.RESET, "accounts.reset_complete")
    if response is not None:
        return response
    form = NewPasswordForm(identifiers=(token.email,))
    if form.validate_on_submit():
        try:
            services.complete_reset(token, form.password.data, _locale())
        except services.AccountError:
            db.session.rollback()
            return render_template("accounts/link_invalid.html"), 400
        db.session.commit()
        session.pop("reset_token", None)
        flash(_("Your password has been changed. Log in with the new one."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_complete.html", form=form)


@bp.route("/me/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
def change_password():
    form = ChangePasswordForm(identifiers=(current_user.email or "", current_user.login))
    if form.validate_on_submit():
        if not verify_password(current_user, form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            account = current_user._get_current_object()
            services.set_password(account, form.password.data, locale=_locale())
            db.session.commit()
            _start_session(account)  # other sessions ended; this one continues
            flash(_("Your password has been changed."), "info")
            return redirect(home_for(account))
    return render_template("accounts/change_password.html", form=form)
