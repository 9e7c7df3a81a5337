"""The provisions register (rule 6) and the search of the audit trail."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from jgrad import exports
from jgrad.admin.queries import audit_events_page, filter_problems, names_of
from jgrad.audit.words import action_words, outcome_words
from jgrad.admin.views import bp
from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.formtools import strip
from jgrad.i18n import gettext as _
from jgrad.portal.provisions import ProvisionError, record_provision, register
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
def provisions():
    form = ProvisionForm()
    if form.validate_on_submit():
        try:
            record_provision(dataset=form.dataset.data, recipient=form.recipient.data,
                             purpose=form.purpose.data, legal_basis=form.legal_basis.data,
                             provided_on=form.provided_on.data, records=form.records.data,
                             by=current_user)
        except ProvisionError:
            form.provided_on.errors.append(_("A provision cannot be in the future."))
        else:
            db.session.commit()
            flash(_("The provision has been recorded."), "info")
            return redirect(url_for("admin.provisions"))
    return render_template("admin/provisions.html", rows=register(), form=form)


@bp.route("/provisions.csv")
def provisions_csv():
    """Export the provisions register as CSV."""
    return _provisions_export("csv")


@bp.route("/provisions.xlsx")
def provisions_xlsx():
    """Export the provisions register as XLSX."""
    return _provisions_export("xlsx")


def _provisions_export(fmt: str):
    provisions = register(newest_first=False)
    # The page's own column words, in the reader's language (the file is for people).
    header = [_("When"), _("To whom"), _("What"), _("Why"), _("Basis"), _("Records"),
              _("Recorded at")]
    rows = [[p.provided_on, p.recipient, p.dataset, p.purpose, p.legal_basis, p.records,
             p.created_at] for p in provisions]
    audit.record("provisions.exported", account=current_user, object_type="provision",
                 details={"format": fmt})
    db.session.commit()
    if fmt == "xlsx":
        return Response(exports.xlsx_bytes({_("Provisions"): (header, rows)}), mimetype=XLSX,
                        headers={"Content-Disposition": "attachment; filename=provisions.xlsx"})
    return Response(exports.csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=provisions.csv"})


@bp.route("/audit")
def audit_search():
    """Search the whole audit trail by action, actor, registrant, outcome and dates."""
    args = request.args
    page = page_number(args)
    problems = filter_problems(args)
    events, has_next = ([], False) if problems else audit_events_page(args, page, AUDIT_PAGE)
    logins, doctor_ids = names_of(events)
    audit.record("audit.searched", account=current_user, object_type="audit_event",
                 details={k: v for k, v in args.items() if k != "page"})
    db.session.commit()
    return render_template("admin/audit.html", events=events, page=page, has_next=has_next,
                           args=dict(args), problems=problems, logins=logins,
                           doctor_ids=doctor_ids, action_words=action_words,
                           outcome_words=outcome_words), (422 if problems else 200)
