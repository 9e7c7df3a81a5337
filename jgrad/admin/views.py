"""Administration pages for the institute: for now, the inquiries from the contact form."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from jgrad.access import guard
from jgrad.accounts.models import Role
from jgrad.audit import services as audit
from jgrad.contact.models import Inquiry
from jgrad.contact.services import inquiries_page, reply
from jgrad.db import utcnow
from jgrad.formtools import strip
from jgrad.extensions import db
from jgrad.i18n import gettext as _
from jgrad.web import page_number

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp, Role.ADMIN)
PAGE_SIZE = 50



@bp.route("/inquiries")
def inquiries():
    show_closed = request.args.get("closed") == "1"
    page = page_number(request.args)
    rows, has_next = inquiries_page(show_closed=show_closed, page=page, size=PAGE_SIZE)
    audit.record("inquiry.listed", account=current_user, object_type="inquiry",
                 details={"page": page, "closed": show_closed})
    db.session.commit()
    return render_template(
        "admin/inquiries.html", inquiries=rows, page=page,
        has_next=has_next, show_closed=show_closed, form=FlaskForm(), reply_form=ReplyForm(),
    )


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Answer"), [DataRequired(), Length(max=10_000)], filters=[strip])


@bp.route("/inquiries/<int:inquiry_id>/reply", methods=["POST"])
def reply_inquiry(inquiry_id: int):
    """Answer an inquiry by e-mail in the inquirer's language; it is then marked answered."""
    inquiry = db.session.get(Inquiry, inquiry_id) or abort(404)
    form = ReplyForm()
    if inquiry.replied_at is not None:
        flash(_("This inquiry has been answered already."), "error")
    elif not form.validate_on_submit():
        flash(_("Write the answer before sending it."), "error")
    else:
        reply(inquiry, form.text.data, by=current_user, now=utcnow())
        db.session.commit()
        flash(_("The answer has been sent to %(email)s.", email=inquiry.email), "info")
    return redirect(url_for("admin.inquiries"))


@bp.route("/inquiries/<int:inquiry_id>/close", methods=["POST"])
def close_inquiry(inquiry_id: int):
    inquiry = db.session.get(Inquiry, inquiry_id) or abort(404)
    if inquiry.close(by=current_user):
        db.session.commit()
        flash(_("The inquiry is marked as answered."), "info")
    return redirect(url_for("admin.inquiries"))
