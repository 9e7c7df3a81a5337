"""Administrators manage universities (with the cooperation flag) and staff and analyst accounts."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.accounts.services import AccountError, create_account
from jgrad.admin.queries import all_universities, institute_accounts, universities_with_accounts
from jgrad.admin.views import bp
from jgrad.extensions import db
from jgrad.formtools import strip
from jgrad.i18n import gettext as _
from jgrad.web import page_number
from jgrad.registrants.forms import options
from jgrad.universities.models import University
from jgrad.universities.services import UniversityExists, add_university
from jgrad.words import choices as word_choices


class UniversityForm(FlaskForm):
    code = StringField(_l("Code"), [DataRequired(), Length(max=16),
                                    Regexp(r"^[A-Za-z0-9-]+$", message=_l("Letters, digits, '-'."))],
                       filters=[strip])
    name_en = StringField(_l("Name in English"), [DataRequired(), Length(max=200)],
                          filters=[strip])
    name_ja = StringField(_l("Name in Japanese"), [DataRequired(), Length(max=200)],
                          filters=[strip])
    kind = SelectField(_l("Kind"), choices=options(word_choices("university_kind"), blank=False))


class AccountForm(FlaskForm):
    email = EmailField(_l("E-mail address"), [DataRequired(), Email(), Length(max=254)],
                       filters=[strip])
    role = SelectField(_l("Role"), choices=options(
        [c for c in word_choices("role") if c[0] != "registrant"], blank=False))
    university_id = SelectField(_l("University (staff only)"), [Optional()], coerce=int,
                                choices=[])
    staff_role = SelectField(_l("What the staff member may do"),
                             choices=options(word_choices("staff_role"), blank=False))
    locale = SelectField(_l("Language of the invitation"),
                         choices=[SelectChoice("ja", "日本語"), SelectChoice("en", "English")],
                         default="ja")


@bp.route("/universities", methods=["GET", "POST"])
def universities():
    form = UniversityForm()
    if form.validate_on_submit():
        try:
            add_university(code=form.code.data, name_en=form.name_en.data,
                           name_ja=form.name_ja.data, kind=form.kind.data, by=current_user)
        except UniversityExists:
            db.session.rollback()
            form.code.errors.append(_("A university with this code exists already."))
        else:
            db.session.commit()
            flash(_("The university has been added."), "info")
            return redirect(url_for("admin.universities"))
    return render_template("admin/universities.html", rows=universities_with_accounts(),
                           form=form, toggle=FlaskForm())


@bp.route("/universities/<int:university_id>/cooperation", methods=["GET", "POST"])
def toggle_cooperation(university_id: int):
    """Start or stop joint utilization, after confirmation: staff access changes at once."""
    university = db.session.get(University, university_id) or abort(404)
    name = university.name(get_locale())
    if request.method == "GET":
        if university.cooperating:
            title = _("Stop joint utilization with %(name)s?", name=name)
            effects = [_("From the next page they open, its staff see none of its alumni, "
                         "cannot import files and cannot write to anyone."),
                       _("Nothing is deleted: starting again restores their view.")]
        else:
            title = _("Start joint utilization with %(name)s?", name=name)
            effects = [_("Its staff see the alumni who share their record with it, from the "
                         "next page they open.")]
        return render_template("admin/confirm.html", title=title, effects=effects,
                               button=_("Stop") if university.cooperating else _("Start"),
                               back=url_for("admin.universities"), form=FlaskForm())
    if not FlaskForm().validate_on_submit():
        abort(400)
    university.set_cooperation(not university.cooperating, by=current_user)
    db.session.commit()
    flash(_("Joint utilization with %(name)s has started.", name=name) if university.cooperating
          else _("Joint utilization with %(name)s has stopped.", name=name), "info")
    return redirect(url_for("admin.universities"))


@bp.route("/accounts", methods=["GET", "POST"])
def accounts():
    form = AccountForm()
    form.university_id.choices = [SelectChoice(0, "—")] + options(
        ((u.id, u.name(get_locale())) for u in all_universities()), blank=False)
    if form.validate_on_submit():
        role = Role(form.role.data)
        university_id = form.university_id.data or None
        try:
            account = create_account(role=role, email=form.email.data, password=None,
                                     university_id=university_id if role == Role.STAFF else None,
                                     staff_role=form.staff_role.data, by=current_user,
                                     locale=form.locale.data)
        except AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The account has been created and an invitation sent to %(email)s.",
                    email=account.email), "info")
            return redirect(url_for("admin.accounts"))
    find = (request.args.get("find") or "").strip()[:100]
    university = request.args.get("university") or ""
    university_id = int(university) if university.isascii() and university.isdigit() \
        and len(university) < 10 else None
    page = page_number(request.args)
    rows, has_next = institute_accounts(find=find, university_id=university_id, page=page)
    return render_template("admin/accounts.html", rows=rows, form=form, toggle=FlaskForm(),
                           find=find, university_id=university_id, page=page,
                           has_next=has_next, universities=all_universities(),
                           bad_university=bool(university) and university_id is None)


@bp.route("/accounts/<int:account_id>/state", methods=["GET", "POST"])
def toggle_account(account_id: int):
    """Suspend a staff, analyst or administrator account, or lift its suspension, once confirmed."""
    account = db.session.get(Account, account_id)
    if (account is None or account.role == Role.REGISTRANT or account.id == current_user.id
            or account.state not in (AccountState.ACTIVE, AccountState.SUSPENDED)):
        abort(404)
    suspending = account.state == AccountState.ACTIVE
    if request.method == "GET":
        title = (_("Suspend the account of %(email)s?", email=account.email) if suspending
                 else _("Reactivate the account of %(email)s?", email=account.email))
        effects = ([_("Its sessions end at once and it cannot log in until reactivated."),
                    _("Its records, tokens and history are kept.")] if suspending
                   else [_("It can log in again with its password.")])
        return render_template("admin/confirm.html", title=title, effects=effects,
                               button=_("Suspend") if suspending else _("Reactivate"),
                               back=url_for("admin.accounts"), form=FlaskForm())
    if not FlaskForm().validate_on_submit():
        abort(400)
    if suspending:
        account.suspend(reason="administrator", by=current_user)
        flash(_("The account of %(email)s is suspended.", email=account.email), "info")
    else:
        account.activate(reason="administrator", by=current_user)
        flash(_("The account of %(email)s is active again.", email=account.email), "info")
    db.session.commit()
    return redirect(url_for("admin.accounts"))
