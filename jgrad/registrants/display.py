"""Show record fields and coded values the way a person reads them."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField

from jgrad.i18n import gettext as _
from jgrad.i18n import current_locale, locale_key
from jgrad.registrants import codes

CODED = {
    "sex": codes.SEX, "field": codes.FIELD, "programme_type": codes.PROGRAMME_TYPE,
    "status": codes.ENROLMENT_STATUS, "labour_status": codes.LABOUR_STATUS,
    "sector": codes.SECTOR, "academic_rank": codes.ACADEMIC_RANK,
    "employment_term": codes.EMPLOYMENT_TERM, "working_hours": codes.WORKING_HOURS,
    "income_band": codes.INCOME_BAND, "relatedness": codes.RELATEDNESS,
}


# The code lists of jgrad.registrants.codes, by identity: their labels in each language are
# worked out once per process (a page of fifty rows would otherwise translate each label
# fifty times); any other mapping is translated on every call.
_CODE_LISTS = {id(v): v for v in vars(codes).values() if isinstance(v, dict)}
_LABELS: dict[tuple[int, tuple], dict[str, str]] = {}


def code_label(mapping: dict, value: str | None) -> str:
    """Return the display label of a code in the reader's language (``codes.label``)."""
    if value is None or id(mapping) not in _CODE_LISTS:
        return codes.label(mapping, value)
    return str(code_labels(mapping).get(value, value))


def code_labels(mapping: dict) -> dict[str, str]:
    """Return a code list's labels in the reader's language, code by code (for a form's
    choices; one of ``jgrad.registrants.codes``' lists, else translated on every call)."""
    if id(mapping) not in _CODE_LISTS:
        return {code: str(text) for code, text in mapping.items()}
    key = (id(mapping), locale_key(current_locale()))
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {code: str(text) for code, text in mapping.items()}
    return labels


@lru_cache(maxsize=1)
def _labels() -> dict:
    from jgrad.registrants.forms import CareerSpellForm, EnrolmentForm, ProfileForm

    labels = {}
    for form_class in (ProfileForm, EnrolmentForm, CareerSpellForm):
        for name in dir(form_class):
            field = getattr(form_class, name, None)
            if isinstance(field, UnboundField):
                labels[name] = field.args[0] if field.args else field.kwargs.get("label", name)
    return labels


_FIELD_LABELS: dict[tuple[str, tuple], str] = {}


def field_label(name: str) -> str:
    """Return the label people see for a record field (translated once per language)."""
    key = (name, locale_key(current_locale()))
    text = _FIELD_LABELS.get(key)
    if text is None:
        text = _FIELD_LABELS[key] = str(_labels().get(name, name))
    return text


def value_label(name: str, value, locale: str, university_name) -> str:
    """Return a stored value as it reads on the page."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name in CODED:
        return code_label(CODED[name], value)
    if name in ("nationality", "country"):
        return codes.country_names(locale).get(value, value)
    if name == "prefecture":
        return codes.prefecture_name(value, locale) or value
    if name == "university_id":
        return university_name(value)
    return str(value)


# Columns of the registrant's CSV download that are not fields of the record forms.
COLUMNS = {
    "id": _l("Number"), "doctor_id": _l("Doctor ID"), "email": _l("E-mail address"),
    "email_status": _l("E-mail address checked"), "state": _l("State"),
    "created_at": _l("Created"), "last_login_at": _l("Last log-in"),
    "supplied_by": _l("Supplied by"), "supplied_by_university_id": _l("Supplied by university"),
    "changed_by": _l("Changed by"), "changed_by_university_id": _l("Changed by university"),
    "changed_at": _l("Changed"), "share_with_university": _l("Share with my university"),
    "accept_contact": _l("Accept contact"), "at": _l("When"),
    "record_type": _l("Part of the record"), "record_id": _l("Record number"),
    "action": _l("What was done"), "by": _l("By"), "by_university_id": _l("By university"),
    "via": _l("Through"), "changes": _l("Changes"), "setting": _l("Setting"),
    "from": _l("From"), "to": _l("To"), "requested_at": _l("Asked"), "due_at": _l("Due"),
    "channel": _l("How it was asked"),
}
UNIVERSITY_COLUMNS = ("supplied_by_university_id", "changed_by_university_id",
                      "by_university_id", "university_id")


def column_label(name: str) -> str:
    """Say what a column of the registrant's CSV download holds, in the reader's language."""
    if name in COLUMNS:
        return str(COLUMNS[name])
    return field_label(name)


RECORD_WORDS = {"registrant": _l("Profile"), "enrolment": _l("Doctoral programme"),
                "career_spell": _l("Career entry")}
ACTION_WORDS = {"create": _l("added"), "update": _l("changed"), "delete": _l("deleted")}
SOURCE_WORDS = {"registrant": _l("you"), "university": _l("your university"),
                "institute": _l("the institute"), "system": _l("the system")}
SETTING_WORDS = {"share_with_university": COLUMNS["share_with_university"],
                 "accept_contact": COLUMNS["accept_contact"]}
CELL_WORDS = {"record_type": RECORD_WORDS, "action": ACTION_WORDS, "by": SOURCE_WORDS,
              "supplied_by": SOURCE_WORDS, "changed_by": SOURCE_WORDS,
              "setting": SETTING_WORDS}


def cell_label(name: str, value, locale: str, university_name):
    """Write a value of the registrant's CSV download as it reads on the pages."""
    from jgrad.words import words

    if name in UNIVERSITY_COLUMNS:
        return university_name(value) if value else ""
    if value is None or isinstance(value, (dict, list)):
        return value
    if name in CELL_WORDS:
        return str(CELL_WORDS[name].get(str(value), value))
    if name == "email_status":
        return str(words("email_status", value))
    if name == "state":
        return str(words("account_state", value))
    return value_label(name, value, locale, university_name)
