"""The public contact form; inquiries are stored for administrators."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale

from jgrad.access import ANYONE, guard
from jgrad.audit import services as audit
from jgrad.contact.forms import ContactForm
from jgrad.contact.models import Inquiry
from jgrad.contact.services import acknowledge
from jgrad.db import utcnow
from jgrad.extensions import db, limiter

bp = Blueprint("contact", __name__)
guard(bp, ANYONE)


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["CONTACT_RATE_LIMIT"], methods=["POST"])
def contact():
    form = ContactForm()
    if form.validate_on_submit():
        inquiry = Inquiry(
            name=form.name.data,
            email=form.email.data.lower(),
            details=form.details.data,
            doctor_id=form.doctor_id.data or None,
            university=form.university.data or None,
            student_number=form.student_number.data or None,
            locale=str(get_locale()),
        )
        db.session.add(inquiry)
        db.session.flush()
        audit.record("inquiry.received", object_type="inquiry", object_id=inquiry.id)
        acknowledge(inquiry, utcnow())
        db.session.commit()
        return render_template("contact/thanks.html")
    return render_template("contact/form.html", form=form)
