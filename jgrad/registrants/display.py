"""Show record fields and coded values the way a person reads them."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _
from wtforms.fields.core import UnboundField

from jgrad.registrants import codes

CODED = {
    "sex": codes.SEX, "field": codes.FIELD, "programme_type": codes.PROGRAMME_TYPE,
    "status": codes.ENROLMENT_STATUS, "labour_status": codes.LABOUR_STATUS,
    "sector": codes.SECTOR, "academic_rank": codes.ACADEMIC_RANK,
    "employment_term": codes.EMPLOYMENT_TERM, "working_hours": codes.WORKING_HOURS,
    "income_band": codes.INCOME_BAND, "relatedness": codes.RELATEDNESS,
}


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


def field_label(name: str) -> str:
    """Return the label people see for a record field."""
    return str(_labels().get(name, name))


def value_label(name: str, value, locale: str, university_name) -> str:
    """Return a stored value as it reads on the page."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name in CODED:
        return codes.label(CODED[name], value)
    if name in ("nationality", "country"):
        return codes.country_names(locale).get(value, value)
    if name == "prefecture":
        return codes.prefecture_name(value, locale) or value
    if name == "university_id":
        return university_name(value)
    return str(value)
