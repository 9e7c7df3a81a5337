"""Security baseline: database errors get the generic error page with a request id, the
security headers and an access-log line, and the request's transaction is rolled back."""
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from jgrad.accounts.models import Role
from jgrad.extensions import db, login_manager
from jgrad.universities.models import University

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


def access_log(app) -> list[str]:
    for handler in logging.getLogger("jgrad.access").handlers:
        handler.flush()
    return (Path(app.instance_path) / "logs" / "access.log").read_text().splitlines()


def assert_generic_error_page(app, response, path: str) -> None:
    text = response.get_data(as_text=True)
    request_id = response.headers.get("X-Request-ID")
    assert response.status_code == 500
    assert request_id and request_id in text
    assert "Something went wrong on our side." in text
    assert "Traceback" not in text and "SELECT" not in text and "UNIQUE" not in text.upper()
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert any(f" {path} 500 " in line and line.endswith(request_id)
               for line in access_log(app)), access_log(app)


@pytest.fixture
def planted(app):
    """Add views that fail in the database the way a real query can."""

    @app.route("/planted/integrity")
    def integrity():
        db.session.add(University(code="DUP", name_en="First", name_ja="一"))
        db.session.flush()
        db.session.add(University(code="DUP", name_en="Typed into a form", name_ja="二"))
        db.session.flush()  # a real unique violation
        return "unreachable"

    @app.route("/planted/operational")
    def operational():
        db.session.add(University(code="HALF", name_en="Half", name_ja="半"))
        db.session.flush()
        db.session.execute(sa.text("SELECT * FROM no_such_table_anywhere"))
        return "unreachable"

    return app


@pytest.mark.parametrize("logged_in", [False, True])
def test_security_baseline_integrity_error_gets_the_generic_page(planted, client, login,
                                                                 make_account, logged_in,
                                                                 caplog):
    if logged_in:
        make_account(Role.ADMIN, email="admin@example.org")
        login("admin@example.org")
    response = client.get("/planted/integrity")
    assert_generic_error_page(planted, response, "/planted/integrity")
    assert db.session.scalar(sa.select(sa.func.count(University.id))) == 0  # rolled back
    # The traceback is logged, without the values that were being written.
    assert "IntegrityError" in caplog.text and "Typed into a form" not in caplog.text


@pytest.mark.parametrize("logged_in", [False, True])
def test_security_baseline_operational_error_gets_the_generic_page(planted, client, login,
                                                                   make_account, logged_in):
    if logged_in:
        make_account(Role.ADMIN, email="admin@example.org")
        login("admin@example.org")
    response = client.get("/planted/operational")
    assert_generic_error_page(planted, response, "/planted/operational")
    assert db.session.scalar(sa.select(sa.func.count(University.id))) == 0
    assert client.get("/").status_code == 200  # the next request works


def test_security_baseline_database_down_while_loading_the_account(app, client, login,
                                                                  make_account, monkeypatch):
    make_account(Role.ADMIN, email="admin@example.org")
    login("admin@example.org")

    def unreachable(session_id):
        raise OperationalError("SELECT accounts", {}, ConnectionError("server closed"))

    monkeypatch.setattr(login_manager, "_user_callback", unreachable)
    response = client.get("/admin/")
    assert_generic_error_page(app, response, "/admin/")
