"""Names and helpers every template can use."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import Flask, url_for
from flask.globals import _cv_app, _cv_request
from markupsafe import Markup, escape
from flask_babel import format_date, format_datetime, get_locale, get_timezone
from flask_login import current_user

from jgrad.extensions import db
from jgrad.i18n import gettext as _
from jgrad.i18n import current_locale, locale_key, request_memo
from jgrad.kept import kept
from jgrad.registrants import codes, display
from jgrad.registrants.display import code_label
from jgrad.words import words


def university_name(university_id: int | None) -> str:
    """Return a university's name in the current language, cached for the request."""
    if university_id is None:
        return ""
    from jgrad.universities.models import University

    cache = request_memo("university_names")
    key = (university_id, locale_key(current_locale()))
    if key not in cache:
        university = db.session.get(University, university_id)
        cache[key] = university.name(current_locale()) if university else "?"
    return cache[key]


def source_label(source, university_id: int | None = None) -> str:
    """Say who supplied or changed a record, from the registrant's point of view."""
    source = str(source) if source is not None else ""
    if source == "registrant":
        # "you" only to the registrant; staff and administrators read "the registrant".
        memo = request_memo("source_label")
        if "mine" not in memo:  # once per page: the proxy to the account is not cheap
            memo["mine"] = current_user.is_authenticated and current_user.role == "registrant"
        return _("you") if memo["mine"] else _("the registrant")
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


NAMED_FORMATS = ("short", "medium", "long", "full")
_LOCALES: dict[tuple, object] = {}


@lru_cache(maxsize=8192)
def _day_text(day: dt.date, format: str, locale: tuple) -> str:
    """A day in a named format of a locale (by ``locale_key``): lists repeat the same
    dates page after page, so the words are kept, a few thousand of them at most."""
    from babel import dates

    babel_locale = _LOCALES[locale]
    return dates.parse_pattern(dates.get_date_format(format, locale=babel_locale).pattern
                               ).apply(day, babel_locale)


def date_format(value, format: str | None = None) -> str:
    """Flask-Babel's ``dateformat`` filter; the named formats' words are kept per day and
    language (a list formats a date or two per row)."""
    if value is None or format not in NAMED_FORMATS:
        return format_date(value, format)
    locale = current_locale()
    key = locale_key(locale)
    _LOCALES.setdefault(key, locale)
    if isinstance(value, dt.datetime):  # the reader's day, as Flask-Babel rebases it
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
        value = aware.astimezone(get_timezone()).date()
    return _day_text(value, format, key)


_DATETIME_PATTERNS: dict[tuple[str, str], object] = {}


def _datetime_pattern(locale, format: str):
    """Return one parsed pattern for a datetime format: the date's and the time's patterns
    put into the locale's way of joining them ("{1}, {0}"), its literal words quoted."""
    from babel import dates

    joined = str(dates.get_datetime_format(format, locale=locale)).replace("'", "")
    parts = {"{1}": dates.get_date_format(format, locale=locale).pattern,
             "{0}": dates.get_time_format(format, locale=locale).pattern}
    pattern, rest = "", joined
    while rest:
        at = min((rest.find(k), k) for k in parts if k in rest) if any(
            k in rest for k in parts) else (len(rest), None)
        literal = rest[:at[0]]
        if literal:
            pattern += "'" + literal.replace("'", "''") + "'"
        if at[1] is None:
            break
        pattern += parts[at[1]]
        rest = rest[at[0] + len(at[1]):]
    return dates.parse_pattern(pattern)


def datetime_format(value, format: str | None = None) -> str:
    """Flask-Babel's ``datetimeformat`` filter for the named formats, the locale's pattern
    parsed once per process rather than on every call (a list formats a date per row), and
    the words of a moment kept for the next page that shows it (a record's times are shown
    on each of its pages)."""
    if value is None or format not in NAMED_FORMATS:
        return format_datetime(value, format)
    locale = current_locale()
    key = locale_key(locale)
    _LOCALES.setdefault(key, locale)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return _moment_text(value, format, key, str(get_timezone()))


@lru_cache(maxsize=4096)
def _moment_text(value: dt.datetime, format: str, key: tuple, zone: str) -> str:
    from babel.dates import get_timezone as babel_zone

    locale = _LOCALES[key]
    pattern_key = (str(locale), format)
    pattern = _DATETIME_PATTERNS.get(pattern_key)
    if pattern is None:
        pattern = _DATETIME_PATTERNS[pattern_key] = _datetime_pattern(locale, format)
    return pattern.apply(value.astimezone(babel_zone(zone)), locale)


def month_format(value) -> str:
    """A year and month in the reader's language ("Apr 2023", "2023年4月"), the words of a
    month kept for the next time (Babel works its skeleton out afresh on every call, about
    0.1 ms, and a record's page shows a month or two per career entry)."""
    if value is None:
        return ""
    locale = current_locale()
    key = locale_key(locale)
    _LOCALES.setdefault(key, locale)
    return _month_text(value.year, value.month, key)


@lru_cache(maxsize=4096)
def _month_text(year: int, month: int, key: tuple) -> str:
    from babel.dates import format_skeleton

    return format_skeleton("yMMM", dt.date(year, month, 1), locale=_LOCALES[key])


def details(record, names) -> Markup:
    """A record's fields as a definition list, the empty ones left out: a record reads as
    what is known about it.  (Python rather than a macro: a page shows several records.)"""
    locale = str(current_locale())
    items = "".join(
        f"<dt>{escape(display.field_label(name))}</dt>"
        f"<dd>{escape(display.value_label(name, value, locale, university_name))}</dd>"
        for name in names
        if (value := getattr(record, name)) is not None and value != "")
    return Markup(f'<dl class="record">{items}</dl>')


def provenance(record) -> Markup:
    """Say who supplied a record and when, and who changed it last and when."""
    supplied = _("Supplied by %(who)s on %(when)s") % {
        "who": escape(source_label(record.supplied_by, record.supplied_by_university_id)),
        "when": escape(datetime_format(record.created_at, "short"))}
    changed = _("last changed by %(who)s on %(when)s") % {
        "who": escape(source_label(record.changed_by, record.changed_by_university_id)),
        "when": escape(datetime_format(record.changed_at, "short"))}
    return Markup(f'<p class="provenance">{supplied}; {changed}</p>')


_URLS: dict[tuple, str] = {}


def template_url_for(endpoint: str, **values) -> str:
    """Flask's ``url_for`` for templates, the address of a given endpoint and values kept
    for the next page (a page builds thirty or so, most of them the same on every page).

    Only a page's own relative addresses are kept, keyed by everything they depend on
    (the endpoint, the values and their types, where the application is mounted); anything
    else (a blueprint-relative endpoint, ``_external`` and the like, no request, values
    that cannot be keys) goes to ``url_for`` every time.
    """
    context = _cv_request.get(None)
    if context is None or endpoint[:1] == "." or any(k[:1] == "_" for k in values):
        return url_for(endpoint, **values)
    adapter = context.url_adapter
    key = (endpoint, adapter.script_name, adapter.server_name, adapter.subdomain,
           *((k, v.__class__, v) for k, v in values.items()))
    try:
        hash(key)
    except TypeError:  # a list or a dict among the values
        return url_for(endpoint, **values)
    return _URLS.get(key) or kept(_URLS, key, lambda: url_for(endpoint, **values), 4096)


def _csrf_token_once(generate, field: str):
    """Flask-WTF's ``csrf_token()`` for templates, the request's token read straight from
    ``g`` once made (a page with a form per record asks for it a few times)."""

    def csrf_token() -> str:
        context = _cv_app.get(None)
        token = context.g.__dict__.get(field) if context is not None else None
        return token if token is not None else generate()

    return csrf_token


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(details=details, provenance=provenance,
                                 url_for=template_url_for)
    # Flask-WTF's csrf_token() is a global and a context processor's name: this one is
    # registered after it, and so is the one a page's context holds.
    generate = app.jinja_env.globals.get("csrf_token")
    csrf_token = _csrf_token_once(generate, app.config["WTF_CSRF_FIELD_NAME"]) \
        if generate is not None else None
    app.add_template_filter(month_format, "monthformat")
    app.add_template_filter(date_format, "dateformat")
    app.add_template_filter(datetime_format, "datetimeformat")
    @app.context_processor
    def _globals():
        locale = str(get_locale())
        return {
            **({"csrf_token": csrf_token} if csrf_token is not None else {}),
            "current_locale": locale,
            "source_label": source_label,
            "university_name": university_name,
            "codes": codes,
            "label": code_label,
            "code_labels": display.code_labels,
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
