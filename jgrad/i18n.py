"""Language selection: the visitor's choice, else the browser's, else English."""
from __future__ import annotations

from flask import current_app, has_request_context, request, session


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
