"""Forms of the administrators' survey pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp

from jgrad.formtools import strip

ACCEPTED = (".json", ".xlsx", ".csv")


class DefinitionUploadForm(FlaskForm):
    """A definition file (JSON, XLSForm or REDCap) and what a REDCap file cannot say."""

    file = FileField(_l("Definition file"),
                     [FileRequired(message=_l("Choose a file to upload."))])
    slug = StringField(
        _l("Slug (REDCap files, and XLSForms without a form_id)"),
        [Optional(), Regexp(r"^[a-z][a-z0-9-]{0,63}$", message=_l(
            "A slug is a lower-case letter, then up to 63 lower-case letters, digits or "
            "hyphens."))],
        filters=[strip])
    title_en = StringField(_l("English title (REDCap files have none)"),
                           [Optional(), Length(max=300)], filters=[strip])
    title_ja = StringField(_l("Japanese title"), [Optional(), Length(max=300)],
                           filters=[strip])
