"""The university portal: alumni list, records, export and messages (rules 4 and 5)."""
from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from flask import (Blueprint, Response, current_app, flash, redirect, render_template,
                   request, stream_with_context, url_for)
from flask_login import current_user
from markupsafe import Markup, escape

from jgrad import exports
from jgrad.access import EDITOR, allow, guard
from jgrad.accounts.models import Role
from jgrad.audit import services as audit
from jgrad.db import commit_keeping_loaded, utcnow
from jgrad.extensions import db
from jgrad.i18n import current_locale, locale_key
from jgrad.i18n import gettext as _
from jgrad.kept import kept
from jgrad.mail.models import OutboxMessage
from jgrad.portal import messaging
from jgrad.portal.access import may_write
from jgrad.portal.loading import with_registrant
from jgrad.portal.export import alumni_table
from jgrad.portal.forms import ContactForm
from jgrad.portal.keyset import BadCursor, Page
from jgrad.portal.models import ContactMessage
from jgrad.portal.queries import (COUNT_CAP, AlumniFilter, alumni_page,
                                  alumni_query)
from jgrad.registrants import codes
from jgrad.registrants.display import code_label
from jgrad.registrants.history import ConsentChange, RecordChange
from jgrad.registrants.models import Registrant
from jgrad.templating import date_format, university_name
from jgrad.universities.services import every_university

bp = Blueprint("portal", __name__, url_prefix="/records")
guard(bp, Role.STAFF, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
@bp.route("/")
def alumni():
    filters, problems = AlumniFilter.parse(request.args)
    cursor = request.args.get("cursor") or None
    found, total = Page([], None, None), 0
    if not problems:  # a value that cannot be used is named, and nothing is listed
        try:
            found, total = alumni_page(current_user, filters, cursor,
                                       current_app.config["SECRET_KEY"],
                                       counted=request.args.get("count") == "1")
        except BadCursor:
            problems.append(_("This page link is damaged or was not made by this site: "
                              "start again from the first page."))
    audit.record("records.listed", account=current_user, object_type="registrant",
                 details={"filters": filters.as_dict(), "cursor": bool(cursor),
                          "rows": len(found.rows)})
    commit_keeping_loaded(db.session())
    universities = every_university() if current_user.role == Role.ADMIN else ()
    return render_template("portal/alumni.html", rows=table_rows(found.rows), total=total,
                           filter_form=filter_form(filters, universities),
                           cursor=cursor, next_cursor=found.next_cursor,
                           previous_cursor=found.previous_cursor,
                           capped=total is not None and total > COUNT_CAP, cap=COUNT_CAP,
                           filters=filters, args=filters.as_dict(),
                           problems=problems), (422 if problems else 200)


@bp.route("/export.csv")
def export():
    """Stream the filtered list as CSV; every registrant in it gets an audit event."""
    return _export("csv")


@bp.route("/export.xlsx")
def export_xlsx():
    """Export the filtered list as an XLSX workbook, audited as the CSV is."""
    return _export("xlsx")


def _export(fmt: str):
    filters = AlumniFilter.from_args(request.args)
    ids = alumni_query(current_user, filters, Registrant.id).distinct()
    included = list(db.session.scalars(ids))
    audit.record_many("record.exported", object_type="registrant", object_ids=included,
                      subject_registrant_ids=included, at=utcnow(),
                      details={"by": current_user.id, "format": fmt},
                      account=current_user)
    audit.record("records.exported", account=current_user, object_type="registrant",
                 details={"filters": filters.as_dict(), "rows": len(included), "format": fmt})
    db.session.commit()
    header, rows = alumni_table(current_user, filters)
    if fmt == "xlsx":
        return Response(exports.xlsx_bytes({_("Alumni"): (header, rows)}), mimetype=XLSX,
                        headers={"Content-Disposition": "attachment; filename=alumni.xlsx"})
    return Response(stream_with_context(exports.csv_lines(header, rows)), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=alumni.csv"})


@bp.route("/<doctor_id>")
@with_registrant
def record(registrant):
    history = db.session.scalars(
        sa.select(RecordChange).where(RecordChange.registrant_id == registrant.id)
        .order_by(RecordChange.id.desc()).limit(100)).all()
    consents = db.session.scalars(
        sa.select(ConsentChange).where(ConsentChange.registrant_id == registrant.id)
        .order_by(ConsentChange.id.desc())).all()
    audit.record("record.viewed", account=current_user, object_type="registrant",
                 object_id=registrant.id, subject_registrant_id=registrant.id)
    db.session.commit()
    return render_template("portal/record.html", registrant=registrant, history=history,
                           consents=consents, can_edit=current_user.role == Role.ADMIN
                           or current_user.is_editor,
                           may_write=lambda item: may_write(current_user, item))


@bp.route("/contact", methods=["GET", "POST"])
@allow(EDITOR, Role.ADMIN)
def contact():
    filters = AlumniFilter.from_args(request.args)
    form = ContactForm()
    count = messaging.recipient_count(current_user, filters)
    if form.validate_on_submit():
        message = messaging.send(current_user, filters, form.subject.data, form.body.data)
        db.session.commit()
        flash(_("The message is queued for %(n)d people.", n=message.recipients), "info")
        return redirect(url_for("portal.messages"))
    return render_template("portal/contact.html", form=form, count=count,
                           args=filters.as_dict())


@bp.route("/messages")
def messages():
    query = sa.select(ContactMessage).order_by(ContactMessage.id.desc()).limit(100)
    if current_user.role == Role.STAFF:
        query = query.where(ContactMessage.university_id == current_user.university_id)
    sent = db.session.scalars(query).all()
    states = {}
    if sent:
        for message_id, state, number in db.session.execute(
                sa.select(OutboxMessage.contact_message_id, OutboxMessage.state, sa.func.count())
                .where(OutboxMessage.contact_message_id.in_([m.id for m in sent]))
                .group_by(OutboxMessage.contact_message_id, OutboxMessage.state)):
            states.setdefault(message_id, {})[str(state)] = number
    return render_template("portal/messages.html", sent=sent, states=states)


# The alumni list's rows as the page prints them, worked out in one pass: a template that
# called a helper for each university name, code label and date of fifty rows would spend
# most of the request in those calls. Each distinct value is looked up and escaped once per
# page (a page holds one or a few universities, a handful of fields, statuses and dates).

# The filters' form as most lists show it (no search words, no list of universities), by
# language and the choices made: the same few forms for every staff member.
_FORMS: dict[tuple, Markup] = {}


def filter_form(filters: AlumniFilter, universities) -> Markup:
    """The alumni list's filters form, kept when it holds no search words or universities."""
    if filters.name or universities:
        return Markup(render_template("portal/_filters.html", filters=filters,
                                      universities=universities))
    return kept(_FORMS, (locale_key(current_locale()), filters), lambda: Markup(
        render_template("portal/_filters.html", filters=filters, universities=())), 1024)


ROW = ('<tr><td><a href="{href}">{doctor_id}</a></td><td>{name}{roman}</td>'
       '<td>{university}</td><td>{graduate_school}</td><td>{field}</td>'
       '<td>{entry_date}</td><td>{status}</td></tr>\n')
# The words of a code or a date in a language, escaped, kept from page to page (a few
# thousand dates at most; the universities' names are looked up afresh on each page).
_WORDS: dict[tuple, str] = {}


def table_rows(rows) -> Markup:
    """Return the list's rows (``alumni_page`` rows) as the table's ``<tr>`` elements."""
    base = url_for("portal.record", doctor_id="-")[:-1]
    language = locale_key(current_locale())
    universities: dict = {}

    def word(kind, value, make):  # the lookup first: a page makes some 250 of them
        return _WORDS.get((kind, value, language)) or kept(
            _WORDS, (kind, value, language), lambda: str(escape(make(value))), 20_000)

    def university(university_id):  # a page's own: a name can change between pages
        if university_id not in universities:
            universities[university_id] = str(escape(university_name(university_id)))
        return universities[university_id]

    out = []
    for r in rows:
        status = word("status", r.status, _status)
        if r.status_date:
            status = f"{status} ({word('date', r.status_date, _medium)})"
        doctor_id = str(r.doctor_id)
        link = doctor_id if doctor_id.isascii() and doctor_id.isalnum() \
            else quote(doctor_id, safe="")
        roman = f"{r.given_name_roman or ''} {r.family_name_roman}" if r.family_name_roman \
            else ""
        out.append(ROW.format(
            href=escape(base + link), doctor_id=escape(doctor_id),
            name=escape(f"{r.family_name} {r.given_name}"),
            roman=f'<br><span class="small">{escape(roman)}</span>' if roman else "",
            university=university(r.university_id),
            graduate_school=escape(r.graduate_school or ""),
            field=word("field", r.field, _field),
            entry_date=word("date", r.entry_date, _medium), status=status))
    return Markup("".join(out))


def _status(code) -> str:
    return code_label(codes.ENROLMENT_STATUS, code)


def _field(code) -> str:
    return code_label(codes.FIELD, code)


def _medium(day) -> str:
    return date_format(day, "medium") if day is not None else ""
