"""Forms for a registrant's profile, enrolments, career spells and settings."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Form,
    HiddenField,
    IntegerField,
    MonthField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from jgrad.extensions import db
from jgrad.formtools import none_if_blank, strip
from jgrad.registrants import codes
from jgrad.identifiers import is_valid_orcid, normalise_orcid
from jgrad.universities.models import University

def options(pairs, blank: bool = True) -> list[SelectChoice]:
    """Turn (value, label) pairs into select options, with an empty first one."""
    items = [SelectChoice(value, label) for value, label in pairs]
    return [SelectChoice("", "—"), *items] if blank else items


def _choices(mapping: dict) -> list[SelectChoice]:
    return options(mapping.items())


def _version(value):
    """Read the version a form was opened at; anything but a number means none."""
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() \
        and len(value) < 10 else None


class VersionField(HiddenField):
    """The record's version when the form was opened; a save from an older one is refused."""

    def __init__(self, **kwargs):
        super().__init__(filters=[_version], **kwargs)


def values_of(form) -> dict:
    """Return a form's data without the CSRF token, ready for a service."""
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


class ProfileFields(Form):
    family_name = StringField(_l("Family name"), [DataRequired(), Length(max=100)], filters=[strip])
    given_name = StringField(_l("Given name"), [DataRequired(), Length(max=100)], filters=[strip])
    family_name_kana = StringField(
        _l("Family name (kana)"), [Optional(), Length(max=100)], filters=[none_if_blank]
    )
    given_name_kana = StringField(
        _l("Given name (kana)"), [Optional(), Length(max=100)], filters=[none_if_blank]
    )
    family_name_roman = StringField(
        _l("Family name (roman letters)"), [Optional(), Length(max=100)], filters=[none_if_blank]
    )
    given_name_roman = StringField(
        _l("Given name (roman letters)"), [Optional(), Length(max=100)], filters=[none_if_blank]
    )
    birth_year = IntegerField(_l("Year of birth"), [InputRequired()])
    sex = SelectField(_l("Sex"), [DataRequired()], choices=_choices(codes.SEX))
    nationality = SelectField(_l("Nationality"), [DataRequired()], choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = options(codes.country_names(get_locale()).items())

    def validate_birth_year(self, field):
        this_year = dt.date.today().year
        if field.data is not None and not 1900 <= field.data <= this_year - 15:
            raise ValidationError(_l("Enter a year between 1900 and %(y)d.", y=this_year - 15))


class ContactDetailsFields(Form):
    contact_email = StringField(
        _l("Contact e-mail (if different)"), [Optional(), Email(), Length(max=254)],
        filters=[none_if_blank],
    )
    recovery_email = StringField(
        _l("Recovery e-mail"), [Optional(), Email(), Length(max=254)], filters=[none_if_blank]
    )
    orcid = StringField(_l("ORCID iD"), [Optional(), Length(max=40)], filters=[none_if_blank])
    researchmap_id = StringField(
        _l("researchmap ID"), [Optional(), Length(max=64)], filters=[none_if_blank]
    )

    def validate_orcid(self, field):
        if field.data:
            if not is_valid_orcid(field.data):
                raise ValidationError(
                    _l("This is not a valid ORCID iD (check the last character).")
                )
            field.data = normalise_orcid(field.data)

    def validate_researchmap_id(self, field):
        if field.data and not all(c.isalnum() or c in "_-" for c in field.data):
            raise ValidationError(_l("Use letters, digits, '-' and '_' only."))


class ProfileForm(ProfileFields, ContactDetailsFields, FlaskForm):
    """The whole profile as the registrant edits it."""

    version = VersionField()


class EnrolmentFields(Form):
    university_id = SelectField(_l("University"), [DataRequired()], coerce=int, choices=[])
    graduate_school = StringField(
        _l("Graduate school"), [DataRequired(), Length(max=200)], filters=[strip]
    )
    major = StringField(_l("Major"), [Optional(), Length(max=200)], filters=[none_if_blank])
    field = SelectField(_l("Field of study"), [DataRequired()], choices=_choices(codes.FIELD))
    programme_type = SelectField(
        _l("Programme type"), [DataRequired()], choices=_choices(codes.PROGRAMME_TYPE)
    )
    student_number = StringField(
        _l("Student number"), [Optional(), Length(max=32)], filters=[none_if_blank]
    )
    entry_date = DateField(_l("Date of entry"), [InputRequired()])
    status = SelectField(_l("Status"), [DataRequired()], choices=_choices(codes.ENROLMENT_STATUS))
    status_date = DateField(_l("Date of this status"), [Optional()])
    degree_name = StringField(
        _l("Degree (e.g. Doctor of Philosophy)"), [Optional(), Length(max=200)],
        filters=[none_if_blank],
    )

    def __init__(self, *args, university_id: int | None = None, **kwargs):
        """``university_id``: offer only this university (a university's staff)."""
        super().__init__(*args, **kwargs)
        locale = get_locale()
        query = sa.select(University).order_by(University.code)
        if university_id is not None:
            query = query.where(University.id == university_id)
        universities = db.session.scalars(query)
        self.university_id.choices = ([] if university_id else [SelectChoice(0, "—")]) + options(
            ((u.id, u.name(locale)) for u in universities), blank=False
        )

    def validate_entry_date(self, field):
        if field.data and field.data > dt.date.today() + dt.timedelta(days=366):
            raise ValidationError(_l("The date of entry is too far in the future."))
        if field.data and field.data.year < 1940:
            raise ValidationError(_l("Enter a date after 1940."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checks across fields run here: an empty optional field stops its own validators.
        status, status_date = self.status.data, self.status_date.data
        if status and status != "enrolled" and not status_date:
            self.status_date.errors.append(_l("Give the date of this status."))
        if status_date and self.entry_date.data and status_date < self.entry_date.data:
            self.status_date.errors.append(_l("This date cannot be before the date of entry."))
        if status == "degree_awarded" and not self.degree_name.data:
            self.degree_name.errors.append(_l("Name the degree awarded."))
        return valid and not (self.status_date.errors or self.degree_name.errors)


class EnrolmentForm(EnrolmentFields, FlaskForm):
    """One doctoral enrolment."""

    version = VersionField()


class CareerSpellForm(FlaskForm):
    version = VersionField()
    start_month = MonthField(_l("From (month)"), [InputRequired()])
    end_month = MonthField(_l("Until (month; leave empty if current)"), [Optional()])
    labour_status = SelectField(
        _l("Status"), [DataRequired()], choices=_choices(codes.LABOUR_STATUS)
    )
    employer = StringField(_l("Employer"), [Optional(), Length(max=200)], filters=[none_if_blank])
    sector = SelectField(_l("Sector"), [Optional()], choices=_choices(codes.SECTOR),
                         filters=[none_if_blank])
    country = SelectField(_l("Country"), [Optional()], choices=[], filters=[none_if_blank])
    prefecture = SelectField(_l("Prefecture (in Japan)"), [Optional()], choices=[],
                             filters=[none_if_blank])
    job_title = StringField(_l("Job title"), [Optional(), Length(max=200)], filters=[none_if_blank])
    academic_rank = SelectField(_l("Academic rank"), [Optional()],
                                choices=_choices(codes.ACADEMIC_RANK), filters=[none_if_blank])
    postdoc = BooleanField(_l("This is a postdoctoral position"))
    employment_term = SelectField(_l("Contract"), [Optional()],
                                  choices=_choices(codes.EMPLOYMENT_TERM), filters=[none_if_blank])
    contract_months = IntegerField(_l("Contract length in months"),
                                   [Optional(), NumberRange(min=1, max=240)])
    working_hours = SelectField(_l("Working hours"), [Optional()],
                                choices=_choices(codes.WORKING_HOURS), filters=[none_if_blank])
    income_band = SelectField(_l("Annual income"), [Optional()],
                              choices=_choices(codes.INCOME_BAND), filters=[none_if_blank])
    relatedness = SelectField(_l("How related is the work to your doctorate?"), [Optional()],
                              choices=_choices(codes.RELATEDNESS), filters=[none_if_blank])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = get_locale()
        self.country.choices = options(codes.country_names(locale).items())
        self.prefecture.choices = options(
            (code, codes.prefecture_name(code, locale)) for code in codes.PREFECTURE
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        checks = [
            (self.end_month, self.end_month.data and self.start_month.data
             and self.end_month.data < self.start_month.data,
             _l("The end cannot be before the start.")),
            (self.prefecture, self.prefecture.data and self.country.data != "JP",
             _l("A prefecture applies only to work in Japan.")),
            (self.contract_months, self.contract_months.data
             and self.employment_term.data != "fixed_term",
             _l("A contract length applies only to fixed-term work.")),
        ]
        for field, failed, message in checks:
            if failed:
                field.errors.append(message)
                valid = False
        return valid


class SettingsForm(FlaskForm):
    share_with_university = BooleanField(
        _l("Share my registration information with my university")
    )
    accept_contact = BooleanField(
        _l("My university and the institute may contact me (updates, surveys, information)")
    )


class DeletionRequestForm(FlaskForm):
    password = PasswordField(_l("Your password"), [DataRequired(), Length(max=128)])
    reason = TextAreaField(_l("Reason (optional)"), [Optional(), Length(max=2000)])
    confirm = BooleanField(
        _l("I understand that my account is suspended now and my data deleted within 30 days."),
        [DataRequired()],
    )
