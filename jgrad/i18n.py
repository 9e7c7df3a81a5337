"""Language selection: the visitor's choice, else the browser's, else English.

And a faster way to the current translations: a page looks up dozens of words (the labels
of its codes, its headings), and Flask-Babel walks several context proxies for each.
:class:`RequestDomain` remembers the translations on the request's own Babel state, keyed
by the very locale object in force, so ``force_locale`` and ``refresh`` are still obeyed.
"""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import Domain, get_locale


def current_locale():
    """Flask-Babel's ``get_locale()``, read straight from the request's Babel state once it
    has been worked out (a page asks for it once per translated label)."""
    context = _cv_app.get(None)
    state = context.g.__dict__.get("_flask_babel") if context is not None else None
    locale = state.__dict__.get("babel_locale") if state is not None else None
    return locale if locale is not None else get_locale()


def select_locale() -> str:
    if not has_request_context():  # commands and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def request_memo(name: str) -> dict:
    """Return a dict kept for the current request (or app context) under ``name``: ``g``
    without the proxy, for helpers a page calls once per row."""
    context = _cv_app.get(None)
    if context is None:
        return {}
    return context.g.__dict__.setdefault(name, {})


def locale_key(locale) -> tuple:
    """Return a cheap dictionary key for a babel ``Locale`` (its ``str`` is not cheap)."""
    return (locale.language, locale.territory, locale.script) if locale is not None else ()


class RequestDomain(Domain):
    """Flask-Babel's message domain, remembering its translations for the locale in force."""

    def get_translations(self):
        context = _cv_app.get(None)
        state = context.g.__dict__.get("_flask_babel") if context is not None else None
        if state is not None:
            memo = state.__dict__.get("jgrad_translations")
            locale = state.__dict__.get("babel_locale")
            if memo is not None and locale is not None and memo[0] is locale \
                    and memo[1] is self:
                return memo[2]
        translations = super().get_translations()
        state = context.g.__dict__.get("_flask_babel") if context is not None else None
        locale = state.__dict__.get("babel_locale") if state is not None else None
        if locale is not None:
            state.jgrad_translations = (locale, self, translations)
        return translations


def init_i18n(app: Flask, babel) -> None:
    """Make the app's message domain a :class:`RequestDomain`, in templates too."""
    domain = RequestDomain(domain=app.extensions["babel"].default_domain)
    app.extensions["babel"].instance.domain_instance = domain
    # Templates' _() and ngettext() go straight to it (Flask-Babel's walk the proxies).
    translations = domain.get_translations
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
