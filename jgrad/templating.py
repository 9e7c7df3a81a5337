"""Names and helpers every template can use."""
from __future__ import annotations

import datetime as dt

from flask import Flask, g
from flask_babel import format_date, get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from jgrad.extensions import db
from jgrad.registrants import codes, display
from jgrad.words import words


def university_name(university_id: int | None) -> str:
    """Return a university's name in the current language, cached for the request."""
    if university_id is None:
        return ""
    from jgrad.universities.models import University

    cache = g.setdefault("university_names", {})
    if university_id not in cache:
        university = db.session.get(University, university_id)
        cache[university_id] = university.name(get_locale()) if university else "?"
    return cache[university_id]


def source_label(source, university_id: int | None = None) -> str:
    """Say who supplied or changed a record, from the registrant's point of view."""
    source = str(source) if source is not None else ""
    if source == "registrant":
        # "you" only to the registrant; staff and administrators read "the registrant".
        mine = current_user.is_authenticated and current_user.role == "registrant"
        return _("you") if mine else _("the registrant")
    if source == "university":
        return university_name(university_id) or _("your university")
    if source == "institute":
        return _("the institute")
    return _("the system")


def change_label(record_type: str, action: str) -> str:
    """Say what a history row did, in words: "Career entry: added"."""
    return (f"{display.RECORD_WORDS.get(record_type, record_type)}: "
            f"{display.ACTION_WORDS.get(action, action)}")


def access_label(action: str) -> str:
    """Describe an audit action in the registrant's words."""
    if action == "record.viewed":
        return _("viewed your record")
    if action == "record.exported":
        return _("exported your record in a list")
    if action == "record.contacted":
        return _("sent you a message")
    if action.startswith("record.") and action.endswith(".create"):
        return _("added to your record")
    if action.startswith("record.") and action.endswith(".update"):
        return _("corrected your record")
    if action.startswith("record.") and action.endswith(".delete"):
        return _("deleted part of your record")
    if action.startswith("account."):
        return _("changed the state of your account")
    if action.startswith("deletion."):
        return _("recorded a deletion request")
    return action


# The code lists of jgrad.registrants.codes, by identity: their labels in each language are
# worked out once per process (a page of fifty rows would otherwise translate each label
# fifty times); any other mapping is translated on every call.
_CODE_LISTS = {id(v): v for v in vars(codes).values() if isinstance(v, dict)}
_LABELS: dict[tuple[int, str], dict[str, str]] = {}


def code_label(mapping: dict, value: str | None) -> str:
    """Return the display label of a code in the reader's language (``codes.label``)."""
    if value is None or id(mapping) not in _CODE_LISTS:
        return codes.label(mapping, value)
    key = (id(mapping), str(get_locale()))
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {code: str(text) for code, text in mapping.items()}
    return str(labels.get(value, value))


def date_format(value, format: str | None = None) -> str:
    """Flask-Babel's ``dateformat`` filter, remembered for the request (by language: a mail
    may be written in its reader's): a list repeats the same few dates on every row."""
    cache = g.setdefault("formatted_dates", {})
    key = (value, format, str(get_locale()),
           str(get_timezone()) if isinstance(value, dt.datetime) else None)
    if key not in cache:
        cache[key] = format_date(value, format)
    return cache[key]


def month_format(value) -> str:
    """A year and month in the reader's language ("Apr 2023", "2023年4月")."""
    if value is None:
        return ""
    from babel.dates import format_skeleton

    return format_skeleton("yMMM", value, locale=get_locale())


def init_templating(app: Flask) -> None:
    app.add_template_filter(month_format, "monthformat")
    app.add_template_filter(date_format, "dateformat")
    @app.context_processor
    def _globals():
        locale = str(get_locale())
        return {
            "current_locale": locale,
            "source_label": source_label,
            "university_name": university_name,
            "codes": codes,
            "label": code_label,
            "prefecture_name": lambda code: codes.prefecture_name(code, locale),
            "country_name": lambda code: codes.country_names(locale).get(code, code or ""),
            "field_label": display.field_label,
            "access_label": access_label,
            "change_label": change_label,
            "words": words,
            "value_label": lambda name, value: display.value_label(
                name, value, locale, university_name
            ),
        }
