"""Administrators manage universities (with the cooperation flag) and staff and analyst accounts."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from jgrad.accounts.models import Account, AccountState, Role
from jgrad.accounts.services import AccountError, create_account
from jgrad.admin.views import admin_required, bp
from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.formtools import strip
from jgrad.registrants.forms import options
from jgrad.universities.models import KINDS, University


class UniversityForm(FlaskForm):
    code = StringField(_l("Code"), [DataRequired(), Length(max=16),
                                    Regexp(r"^[A-Za-z0-9-]+$", message=_l("Letters, digits, '-'."))],
                       filters=[strip])
    name_en = StringField(_l("Name in English"), [DataRequired(), Length(max=200)],
                          filters=[strip])
    name_ja = StringField(_l("Name in Japanese"), [DataRequired(), Length(max=200)],
                          filters=[strip])
    kind = SelectField(_l("Kind"), choices=options(((k, k) for k in KINDS), blank=False))


class AccountForm(FlaskForm):
    email = EmailField(_l("E-mail address"), [DataRequired(), Email(), Length(max=254)],
                       filters=[strip])
    role = SelectField(_l("Role"), choices=options(
        (("staff", "staff"), ("analyst", "analyst"), ("admin", "admin")), blank=False))
    university_id = SelectField(_l("University (staff only)"), [Optional()], coerce=int,
                                choices=[])
    staff_role = SelectField(_l("Staff role"), choices=options(
        (("viewer", "viewer"), ("editor", "editor")), blank=False))


@bp.route("/universities", methods=["GET", "POST"])
@admin_required
def universities():
    form = UniversityForm()
    if form.validate_on_submit():
        code = form.code.data.upper()
        if db.session.scalar(sa.select(University.id).where(University.code == code)):
            form.code.errors.append(_("A university with this code exists already."))
        else:
            university = University(code=code, name_en=form.name_en.data,
                                    name_ja=form.name_ja.data, kind=form.kind.data)
            db.session.add(university)
            db.session.flush()
            audit.record("university.created", account=current_user,
                         object_type="university", object_id=university.id)
            db.session.commit()
            flash(_("The university has been added."), "info")
            return redirect(url_for("admin.universities"))
    rows = db.session.execute(
        sa.select(University, sa.func.count(Account.id))
        .outerjoin(Account, Account.university_id == University.id)
        .group_by(University.id).order_by(University.code)).all()
    return render_template("admin/universities.html", rows=rows, form=form, toggle=FlaskForm())


@bp.route("/universities/<int:university_id>/cooperation", methods=["POST"])
@admin_required
def toggle_cooperation(university_id: int):
    """Start or stop joint utilization: staff access changes on the next request."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    university = db.session.get(University, university_id) or abort(404)
    university.cooperating = not university.cooperating
    audit.record("university.cooperation", account=current_user, object_type="university",
                 object_id=university.id, details={"cooperating": university.cooperating})
    db.session.commit()
    return redirect(url_for("admin.universities"))


@bp.route("/accounts", methods=["GET", "POST"])
@admin_required
def accounts():
    form = AccountForm()
    form.university_id.choices = [SelectChoice(0, "—")] + options(
        ((u.id, u.code) for u in db.session.scalars(sa.select(University).order_by(
            University.code))), blank=False)
    if form.validate_on_submit():
        role = Role(form.role.data)
        university_id = form.university_id.data or None
        try:
            account = create_account(role=role, email=form.email.data, password=None,
                                     university_id=university_id if role == Role.STAFF else None,
                                     staff_role=form.staff_role.data, by=current_user)
        except AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The account has been created and an invitation sent to %(email)s.",
                    email=account.email), "info")
            return redirect(url_for("admin.accounts"))
    rows = db.session.scalars(sa.select(Account).where(Account.role != Role.REGISTRANT)
                              .order_by(Account.role, Account.email)).all()
    return render_template("admin/accounts.html", rows=rows, form=form, toggle=FlaskForm())


@bp.route("/accounts/<int:account_id>/state", methods=["POST"])
@admin_required
def toggle_account(account_id: int):
    """Suspend a staff, analyst or administrator account, or lift its suspension."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    account = db.session.get(Account, account_id)
    if account is None or account.role == Role.REGISTRANT or account.id == current_user.id:
        abort(404)
    if account.state == AccountState.SUSPENDED:
        account.activate(reason="administrator", by=current_user)
    elif account.state == AccountState.ACTIVE:
        account.suspend(reason="administrator", by=current_user)
    db.session.commit()
    return redirect(url_for("admin.accounts"))
