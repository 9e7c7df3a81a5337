"""JGRAD: a career-tracking database for doctoral human resources."""
from __future__ import annotations

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
    _register_blueprints(app)
    _register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from jgrad import models  # noqa: F401  (every model, for Flask-Migrate)
    from jgrad.accounts.session import init_login
    from jgrad.extensions import babel, csrf, db, limiter, migrate
    from jgrad.i18n import select_locale, select_timezone
    from jgrad.mail.services import init_mail
    from jgrad.templating import init_templating
    from jgrad.web import init_web

    init_web(app)  # first: its request set-up (upload limits) runs before the CSRF check
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    init_login(app)
    init_templating(app)
    init_mail(app)


def _register_blueprints(app: Flask) -> None:
    from jgrad.accounts.views import bp as accounts_bp
    from jgrad.admin import (  # noqa: F401  (they add their routes to admin_bp)
        duplicates_views, lifecycle_views, manage_views, register_views)
    from jgrad.admin.views import bp as admin_bp
    from jgrad.contact.views import bp as contact_bp
    from jgrad.main.views import bp as main_bp
    from jgrad.portal import corrections, uploads  # noqa: F401  (add routes to portal_bp)
    from jgrad.portal.views import bp as portal_bp
    from jgrad.registrants.views import bp as registrants_bp
    from jgrad.statistics.views import bp as statistics_bp

    for blueprint in (main_bp, accounts_bp, registrants_bp, contact_bp, admin_bp,
                      statistics_bp, portal_bp):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from jgrad.accounts.cli import accounts_cli
    from jgrad.demo.cli import demo_data
    from jgrad.lifecycle.cli import lifecycle_cli
    from jgrad.mail.cli import mail_cli
    from jgrad.scheduler import scheduler_command
    from jgrad.statistics.cli import stats_cli
    from jgrad.universities.cli import universities_cli

    for command in (accounts_cli, universities_cli, mail_cli, demo_data, lifecycle_cli,
                    scheduler_command, stats_cli):
        app.cli.add_command(command)
