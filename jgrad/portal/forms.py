"""Forms of the university portal."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from jgrad.formtools import strip


class ContactForm(FlaskForm):
    subject = StringField(_l("Subject"), [DataRequired(), Length(max=200)], filters=[strip])
    body = TextAreaField(_l("Message"), [DataRequired(), Length(max=20000)], filters=[strip])
