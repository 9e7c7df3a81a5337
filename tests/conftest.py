"""Fixtures: the app on SQLite (or PostgreSQL via JGRAD_TEST_DATABASE_URL), clients, factories."""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from jgrad import create_app
from jgrad.accounts import passwords
from jgrad.extensions import db, limiter

PG_URL = os.environ.get("JGRAD_TEST_DATABASE_URL")
# Under ``pytest -n`` each worker (gw0, gw1, ...) gets a database and a Redis database of its
# own, so that one worker's clean-up never empties another's tables or counters.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_NUMBER = int(WORKER[2:]) if WORKER.startswith("gw") else None


def _own_redis_database(uri: str) -> str:
    if WORKER_NUMBER is None or not uri.startswith("redis://"):
        return uri
    parts = urlsplit(uri)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + 1 + WORKER_NUMBER}"))


LIMITER_STORAGE = _own_redis_database(
    os.environ.get("JGRAD_TEST_RATELIMIT_STORAGE_URI", "memory://"))
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "correct horse battery staple"


def _own_postgres_database(url: str) -> str:
    """Return this worker's database beside the given one, creating it when missing."""
    if WORKER_NUMBER is None:
        return url
    given = sa.engine.make_url(url)
    own = given.set(database=f"{given.database}_{WORKER}")
    engine = sa.create_engine(given, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": own.database})
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    if "test" not in (engine.url.database or ""):
        raise RuntimeError("JGRAD_TEST_DATABASE_URL must name a database whose name has 'test'")
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if PG_URL:
        url = _own_postgres_database(PG_URL)
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'jgrad-test.sqlite3'}"


def make_config(database_url: str, instance_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance_path),
        "SERVER_NAME_FOR_MAIL": "http://jgrad.test",
        "RATELIMIT_STORAGE_URI": LIMITER_STORAGE,
        "MAIL_DELIVER_IMMEDIATELY": False,
        # Administrators must enrol a second factor (the default); the tests of that rule
        # (tests/accounts/test_two_factor.py) turn it on, the rest log in with a password.
        "TWO_FACTOR_REQUIRED_ROLES": (),
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def migrated(database_url, tmp_path_factory) -> str:
    """Build the schema once per run, through the migrations."""
    from flask_migrate import upgrade

    app = create_app(make_config(database_url, tmp_path_factory.mktemp("instance-migrate")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


class Client(FlaskClient):
    """A test client that fills in the CSRF token the way a browser form would.

    Each request runs in an application context of its own, as in production, so that
    ``g`` and the database session never carry over between requests; the test's own
    session is committed first, so each side sees what the other wrote.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.commit()
        return response

    def csrf_token(self) -> str:
        page = self.get("/contact").get_data(as_text=True)
        return CSRF_RE.search(page).group(1)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def app_config():
    """Override settings for one test by updating this dict before using ``app``."""
    return {}


@pytest.fixture
def app(migrated, tmp_path, app_config):
    app = create_app(make_config(migrated, tmp_path / "instance", **app_config))
    app.test_client_class = Client
    with app.app_context():
        limiter.reset()  # counters live in Redis on CI: start every test from zero
        yield app
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


from tests.factories import *  # noqa: E402,F401,F403  (factory fixtures)
from tests.factories import TEST_HASHER  # noqa: E402

# Production's hashing cost is proven once (tests/accounts/test_login.py), not paid at every
# log-in of the suite.
passwords.use_hasher(TEST_HASHER)
from tests.smtp import smtp_server  # noqa: E402,F401
