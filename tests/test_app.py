"""The app factory, configuration, database pragmas and the migrations."""
import os
import stat
import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from jgrad import create_app
from jgrad.config import apply_environment
from jgrad.db import ALEMBIC_OPTIONS
from jgrad.extensions import db


def test_secret_key_is_generated_into_instance_with_mode_0600(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("JGRAD_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("JGRAD_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(app.config["SECRET_KEY"]) >= 64
    # The same key on the next start; the default database is SQLite in the instance folder.
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'jgrad.sqlite3'}"


def test_instance_config_and_environment_override_defaults(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("JGRAD_"):
            monkeypatch.delenv(key)
    (tmp_path / "config.py").write_text("SMTP_PORT = 2525\nMAIL_SENDER = 'from-file@x.org'\n")
    monkeypatch.setenv("JGRAD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("JGRAD_SMTP_PORT", "587")
    monkeypatch.setenv("JGRAD_SMTP_TLS", "true")
    monkeypatch.setenv("JGRAD_DATABASE_URL", "sqlite:///elsewhere.db")
    app = create_app()
    assert app.config["SMTP_PORT"] == 587
    assert app.config["SMTP_TLS"] is True
    assert app.config["MAIL_SENDER"] == "from-file@x.org"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///elsewhere.db"


def test_bad_boolean_in_environment_is_refused():
    config = {"SMTP_TLS": False}
    try:
        apply_environment(config, {"JGRAD_SMTP_TLS": "maybe"})
    except ValueError as error:
        assert "maybe" in str(error)
    else:
        raise AssertionError("a bad boolean was accepted")


def test_sqlite_connections_get_wal_foreign_keys_and_busy_timeout(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
                      "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_models_and_migrations_agree(app):
    """Autogenerate finds nothing to do on the migrated database (SQLite or PostgreSQL)."""
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite's reflection cannot read the alumni list's expression indexes (0012).
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        context = MigrationContext.configure(connection, opts=ALEMBIC_OPTIONS)
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_db_upgrade_builds_the_schema_from_empty(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "x"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
    assert {"accounts", "registrants", "enrolments", "career_spells", "audit_events",
            "outbox_messages", "consent_changes", "record_changes", "inquiries",
            "universities", "account_tokens", "deletion_requests", "alembic_version"} <= tables
