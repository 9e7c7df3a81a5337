"""Language selection: the visitor's choice, else the browser's, else English.

And a faster way to the current translations: a page looks up dozens of words (the labels
of its codes, its headings), and Flask-Babel walks several context proxies for each.
:class:`RequestDomain` remembers the translations on the request's own Babel state, keyed
by the very locale object in force, so ``force_locale`` and ``refresh`` are still obeyed.
"""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask.globals import _cv_app
import flask_babel
from flask_babel import Domain, get_locale
from jinja2 import pass_eval_context
from markupsafe import Markup


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


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext``, the request's message domain read without its proxies
    (``flask_babel.gettext`` walks ``g`` three times a word; a page translates dozens)."""
    context = _cv_app.get(None)
    state = context.g.__dict__.get("_flask_babel") if context is not None else None
    domain = state.__dict__.get("babel_domain") if state is not None else None
    if domain is None:  # the first word of a request, or outside one
        return flask_babel.gettext(string, **variables)
    text = domain.get_translations().ugettext(string)
    return text % variables if variables else text


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
    install_template_gettext(app.jinja_env, domain.get_translations)


def install_template_gettext(env, translations) -> None:
    """Give templates ``_``, ``gettext``, ``ngettext``, ``pgettext`` and ``npgettext`` that
    go straight to ``translations()``.

    They behave as Jinja's "new style" ones (``install_gettext_callables(newstyle=True)``):
    the words are a format string filled from the keywords, and where the template escapes
    its output the words count as markup and the keywords are escaped. Jinja's own reach
    the function through three of its calls each (``_`` looks up ``gettext``, which calls
    the callable it was given); a page translates some fifty words.
    """

    def fill(eval_ctx, text: str, variables: dict):
        if eval_ctx.autoescape:
            text = Markup(text)
        # As Jinja's: always a format string (so "%%" reads "%"), even with no keywords.
        return text % variables if variables or "%" in text else text

    @pass_eval_context
    def gettext(eval_ctx, string, **variables):
        return fill(eval_ctx, translations().ugettext(string), variables)

    @pass_eval_context
    def ngettext(eval_ctx, singular, plural, num, **variables):
        variables.setdefault("num", num)
        return fill(eval_ctx, translations().ungettext(singular, plural, num), variables)

    @pass_eval_context
    def pgettext(eval_ctx, context, string, **variables):
        return fill(eval_ctx, translations().upgettext(context, string), variables)

    @pass_eval_context
    def npgettext(eval_ctx, context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        return fill(eval_ctx, translations().unpgettext(context, singular, plural, num),
                    variables)

    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext,
                       npgettext=npgettext)
    env.newstyle_gettext = True
