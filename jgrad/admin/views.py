"""Administration pages for the institute: for now, the inquiries from the contact form."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from jgrad.access import guard, roles_required
from jgrad.accounts.models import Role
from jgrad.audit import services as audit
from jgrad.contact.models import Inquiry
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.web import page_number

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard(bp, Role.ADMIN)
PAGE_SIZE = 50


admin_required = roles_required(Role.ADMIN)


@bp.route("/inquiries")
@admin_required
def inquiries():
    show_closed = request.args.get("closed") == "1"
    page = page_number(request.args)
    query = sa.select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    if not show_closed:
        query = query.where(Inquiry.closed_at.is_(None))
    rows = db.session.scalars(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    audit.record("inquiry.listed", account=current_user, object_type="inquiry",
                 details={"page": page, "closed": show_closed})
    db.session.commit()
    return render_template(
        "admin/inquiries.html", inquiries=rows[:PAGE_SIZE], page=page,
        has_next=len(rows) > PAGE_SIZE, show_closed=show_closed, form=FlaskForm(),
    )


@bp.route("/inquiries/<int:inquiry_id>/close", methods=["POST"])
@admin_required
def close_inquiry(inquiry_id: int):
    inquiry = db.session.get(Inquiry, inquiry_id) or abort(404)
    if inquiry.closed_at is None:
        inquiry.closed_at = utcnow()
        audit.record("inquiry.closed", account=current_user, object_type="inquiry",
                     object_id=inquiry.id)
        db.session.commit()
        flash(_("The inquiry is marked as answered."), "info")
    return redirect(url_for("admin.inquiries"))
