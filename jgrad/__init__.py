"""JGRAD: a career-tracking database for doctoral human resources."""
from __future__ import annotations

import importlib
import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from jgrad.config import Defaults, apply_environment, ensure_secret_key


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: config, extensions, blueprints and commands."""
    # The database, logs, mail files, uploads and the secret key hold personal data or
    # secrets: everything this process creates is readable by its own user only.
    os.umask(0o077)
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "JGRAD_INSTANCE_PATH"
    )
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    try:
        instance.chmod(0o700)  # an instance folder made before (or by a checkout) closes too
    except PermissionError:  # owned by someone else: the operator's choice, left as it is
        pass

    app.config.from_object(Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'jgrad.sqlite3'}"
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        apply_environment(app.config)
    else:
        app.config.from_mapping(test_config)
    if app.config["ENV"] == "development" and "JGRAD_SESSION_COOKIE_SECURE" not in os.environ:
        app.config["SESSION_COOKIE_SECURE"] = False
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = ensure_secret_key(instance)
    if app.config["MAIL_DELIVER_IMMEDIATELY"] is None:
        app.config["MAIL_DELIVER_IMMEDIATELY"] = not app.config["SMTP_HOST"]
    if app.config["DORMANCY_ACTION"] not in ("delete", "suspend"):
        raise ValueError("DORMANCY_ACTION must be 'delete' or 'suspend'")
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)

    _init_extensions(app)
    _register_domains(app)
    return app


def _init_extensions(app: Flask) -> None:
    from jgrad import models  # noqa: F401  (every model, for Flask-Migrate)
    from jgrad.accounts.session import init_login
    from jgrad.extensions import babel, csrf, db, limiter, migrate
    from jgrad.i18n import init_i18n, select_locale, select_timezone
    from jgrad.request_end import init_app as init_request_end
    from jgrad.templating import init_templating
    from jgrad.web import init_web

    init_web(app)  # first: its request set-up (upload limits) runs before the CSRF check
    db.init_app(app)
    init_request_end(app)  # after db: its teardown runs before the session's removal
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    init_i18n(app, babel)
    limiter.init_app(app)
    init_login(app)
    init_templating(app)


# Each domain package registers its own blueprints, commands and hooks in ``init_app``:
# a new package is one line here.
DOMAINS = (
    "jgrad.main",
    "jgrad.accounts",
    "jgrad.registrants",
    "jgrad.audit",
    "jgrad.contact",
    "jgrad.admin",
    "jgrad.statistics",
    "jgrad.portal",
    "jgrad.universities",
    "jgrad.imports",
    "jgrad.mail",
    "jgrad.lifecycle",
    "jgrad.demo",
    "jgrad.jobs",
    "jgrad.api",
    "surveys",
)


def _register_domains(app: Flask) -> None:
    from jgrad.access import check_every_route_is_gated

    for name in DOMAINS:
        importlib.import_module(name).init_app(app)
    check_every_route_is_gated(app)
