"""The provisions register (rule 6) and the search of the audit trail."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from jgrad import exports
from jgrad.accounts.models import Account
from jgrad.admin.views import admin_required, bp
from jgrad.audit import services as audit
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from jgrad.formtools import strip
from jgrad.portal.models import Provision
from jgrad.registrants.models import Registrant
from jgrad.web import page_number

AUDIT_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProvisionForm(FlaskForm):
    dataset = StringField(_l("What was provided (data set)"), [DataRequired(), Length(max=300)],
                          filters=[strip])
    recipient = StringField(_l("To whom"), [DataRequired(), Length(max=200)], filters=[strip])
    purpose = TextAreaField(_l("For what purpose"), [DataRequired(), Length(max=5000)],
                            filters=[strip])
    legal_basis = StringField(_l("On what basis"), [DataRequired(), Length(max=300)],
                              filters=[strip])
    provided_on = DateField(_l("When"), [InputRequired()])
    records = IntegerField(_l("Number of records"), [Optional(), NumberRange(min=0)])


@bp.route("/provisions", methods=["GET", "POST"])
@admin_required
def provisions():
    form = ProvisionForm()
    if form.validate_on_submit():
        if form.provided_on.data > dt.date.today():
            form.provided_on.errors.append(_("A provision cannot be in the future."))
        else:
            provision = Provision(dataset=form.dataset.data, recipient=form.recipient.data,
                                  purpose=form.purpose.data, legal_basis=form.legal_basis.data,
                                  provided_on=form.provided_on.data, records=form.records.data,
                                  recorded_by_account_id=current_user.id)
            db.session.add(provision)
            db.session.flush()
            audit.record("provision.recorded", account=current_user, object_type="provision",
                         object_id=provision.id)
            db.session.commit()
            flash(_("The provision has been recorded."), "info")
            return redirect(url_for("admin.provisions"))
    rows = db.session.scalars(sa.select(Provision).order_by(Provision.provided_on.desc(),
                                                            Provision.id.desc())).all()
    return render_template("admin/provisions.html", rows=rows, form=form)


@bp.route("/provisions.csv")
@admin_required
def provisions_csv():
    """Export the provisions register as CSV."""
    return _provisions_export("csv")


@bp.route("/provisions.xlsx")
@admin_required
def provisions_xlsx():
    """Export the provisions register as XLSX."""
    return _provisions_export("xlsx")


def _provisions_export(fmt: str):
    provisions = db.session.scalars(sa.select(Provision).order_by(Provision.provided_on)).all()
    header = ["provided_on", "recipient", "dataset", "purpose", "legal_basis", "records",
              "recorded_at"]
    rows = [[p.provided_on, p.recipient, p.dataset, p.purpose, p.legal_basis, p.records,
             p.created_at] for p in provisions]
    audit.record("provisions.exported", account=current_user, object_type="provision",
                 details={"format": fmt})
    db.session.commit()
    if fmt == "xlsx":
        return Response(exports.xlsx_bytes({"provisions": (header, rows)}), mimetype=XLSX,
                        headers={"Content-Disposition": "attachment; filename=provisions.xlsx"})
    return Response(exports.csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=provisions.csv"})


@bp.route("/audit")
@admin_required
def audit_search():
    """Search the whole audit trail by action, actor, registrant, outcome and dates."""
    args = request.args
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if args.get("action"):
        query = query.where(AuditEvent.action.like(args["action"].strip()[:64] + "%"))
    if args.get("actor"):
        query = query.where(AuditEvent.actor_account_id.in_(sa.select(Account.id).where(
            sa.or_(Account.email == args["actor"].strip().lower(),
                   Account.login == args["actor"].strip().upper()))))
    if args.get("doctor_id"):
        query = query.where(AuditEvent.subject_registrant_id.in_(sa.select(Registrant.id).where(
            Registrant.doctor_id == args["doctor_id"].strip().upper())))
    if args.get("outcome") in ("success", "denied", "failure"):
        query = query.where(AuditEvent.outcome == args["outcome"])
    for name, op in (("since", ">="), ("until", "<")):
        try:
            day = dt.date.fromisoformat(args.get(name, ""))
        except ValueError:
            continue
        moment = dt.datetime.combine(day + dt.timedelta(days=1 if op == "<" else 0), dt.time(),
                                     tzinfo=dt.timezone.utc)
        query = query.where(AuditEvent.at >= moment if op == ">=" else AuditEvent.at < moment)
    page = page_number(args)
    events = db.session.scalars(query.limit(AUDIT_PAGE + 1).offset((page - 1) * AUDIT_PAGE)).all()
    audit.record("audit.searched", account=current_user, object_type="audit_event",
                 details={k: v for k, v in args.items() if k != "page"})
    db.session.commit()
    return render_template("admin/audit.html", events=events[:AUDIT_PAGE], page=page,
                           has_next=len(events) > AUDIT_PAGE, args=dict(args))
