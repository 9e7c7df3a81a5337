"""The public contact form (rule 11)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from jgrad.formtools import strip
from jgrad.identifiers import is_valid_doctor_id


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), [DataRequired(), Length(max=200)], filters=[strip])
    email = EmailField(
        _l("E-mail address"),
        [DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)],
        filters=[strip],
    )
    details = TextAreaField(_l("Details"), [DataRequired(), Length(max=5000)], filters=[strip])
    doctor_id = StringField(_l("Doctor ID (optional)"), [Optional(), Length(max=16)],
                            filters=[strip])
    university = StringField(_l("University of your doctoral course (optional)"),
                             [Optional(), Length(max=200)], filters=[strip])
    student_number = StringField(_l("Student number (optional)"), [Optional(), Length(max=32)],
                                 filters=[strip])

    def validate_doctor_id(self, field):
        if field.data and not is_valid_doctor_id(field.data):
            raise ValidationError(_l("A Doctor ID looks like JD123456789; check the digits."))
        if field.data:
            field.data = field.data.upper()
