"""How a request's transaction ends (jgrad/request_end.py): a read-only one on PostgreSQL
with a commit, so that its statements stay prepared; one that wrote anything, or failed, or
holds changes, rolled back as always, on every database."""
from __future__ import annotations

import ast
import logging
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from jgrad.config import Defaults
from jgrad.extensions import db
from jgrad.lifecycle.traces import remove_after_commit
from jgrad.universities.models import University

# One pooled connection: every request of a test runs on the same PostgreSQL session.
ONE_CONNECTION = {**Defaults.SQLALCHEMY_ENGINE_OPTIONS, "pool_size": 1, "max_overflow": 0,
                  "pool_timeout": 10}


def _universities() -> set[str]:
    db.session.commit()
    return set(db.session.scalars(sa.select(University.code)))


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@contextmanager
def a_request(app):
    """A web request of its own, as a browser's runs: its own application context, and the
    request's hooks run before the test's code does what the view would."""
    with app.app_context(), app.test_request_context():
        app.preprocess_request()
        yield


@pytest.fixture
def one_connection(app_config):
    app_config["SQLALCHEMY_ENGINE_OPTIONS"] = ONE_CONNECTION


def test_a_read_only_request_keeps_its_statements_prepared(one_connection, app, client,
                                                            make_registrant, login):
    if not _postgresql():
        pytest.skip("psycopg's prepared statements are PostgreSQL's")
    make_registrant(email="reader@example.org")
    login("reader@example.org")
    db.session.commit()
    for _ in range(8):  # psycopg prepares a statement at its sixth run on a connection
        assert client.get("/me").status_code == 200
    with app.app_context():
        prepared = db.session.scalars(sa.text(
            "SELECT statement FROM pg_prepared_statements")).all()
    # The signed-in account and the whole record, read on every page of the registrant.
    assert any("FROM accounts" in s and "accounts.id" in s for s in prepared), prepared
    assert any("FROM registrants LEFT OUTER JOIN enrolments" in s for s in prepared), prepared


def test_a_raw_write_without_a_commit_is_rolled_back(one_connection, app, caplog):
    caplog.set_level(logging.WARNING, logger="jgrad.request_end")
    with a_request(app):
        cursor = db.session.connection().connection.driver_connection.cursor()
        placeholder = "%s" if _postgresql() else "?"
        cursor.execute("INSERT INTO universities (code, name_en, name_ja, cooperating, kind, "
                       f"created_at) VALUES ({', '.join([placeholder] * 6)})",
                       ("RAW1", "Raw", "生", True, "national", "2026-01-01 00:00:00"))
        cursor.close()
    assert "RAW1" not in _universities()
    assert not caplog.records  # stopped by the check, quietly, and rolled back


def test_a_flush_without_a_commit_is_rolled_back(one_connection, app):
    with a_request(app):
        db.session.add(University(code="FLUSHED", name_en="Flushed", name_ja="流"))
        db.session.flush()
        db.session.expunge_all()  # no changes left in the session: only the database knows
    assert "FLUSHED" not in _universities()


def test_changes_never_flushed_are_neither_flushed_nor_committed(one_connection, app):
    with a_request(app):
        assert db.session.scalar(sa.select(sa.func.count(University.id))) == 0
        db.session.add(University(code="PENDING", name_en="Pending", name_ja="保留"))
    assert "PENDING" not in _universities()


def test_a_failed_transaction_ends_quietly(one_connection, app, caplog):
    with a_request(app):
        db.session.add(University(code="BEFORE", name_en="Before", name_ja="前"))
        db.session.flush()
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("SELECT no_such_column FROM universities"))
    with caplog.at_level(logging.ERROR, logger="jgrad.request_end"):
        with a_request(app):
            assert db.session.scalar(sa.text("SELECT 1")) == 1
    assert not caplog.records
    assert "BEFORE" not in _universities()


def test_files_to_remove_after_a_commit_stay_when_nothing_was_committed(one_connection, app,
                                                                        tmp_path):
    kept = tmp_path / "upload.csv"
    kept.write_text("a,b\n")
    with a_request(app):
        db.session.scalar(sa.select(sa.func.count(University.id)))
        remove_after_commit([kept])
    assert kept.exists()


def test_a_command_or_job_rolls_back_as_before(one_connection, app):
    """Only a web request ends with a commit: a command's or job's application context
    rolls back what it leaves open, as it always did."""
    if not _postgresql():
        pytest.skip("the commit is PostgreSQL's")
    for _ in range(7):
        with app.app_context():
            db.session.execute(sa.text("SELECT 42 AS answer_of_a_job")).all()
    with app.app_context():
        prepared = db.session.scalars(sa.text(
            "SELECT statement FROM pg_prepared_statements")).all()
    assert not any("answer_of_a_job" in s for s in prepared), prepared


def test_a_page_a_job_renders_in_its_own_request_leaves_the_jobs_transaction_alone(
        one_connection, app):
    """A job writes, renders a page (a mail) in a request context of its own, and goes on:
    its transaction is still whole when it commits."""
    with app.app_context():
        db.session.add(University(code="JOB", name_en="Job", name_ja="仕事"))
        db.session.flush()
        with app.test_request_context():
            app.preprocess_request()
        db.session.add(University(code="JOB2", name_en="Job 2", name_ja="仕事2"))
        db.session.commit()
    assert {"JOB", "JOB2"} <= _universities()


# What a COMMIT keeps and a ROLLBACK would not, without giving the transaction an id: a
# session's settings, notifications, cursors held past the transaction.
OUTLIVES_A_COMMIT = [
    re.compile(r"(?:^|;)\s*SET\s+(?!LOCAL\b|NULL\b|DEFAULT\b)"),
    re.compile(r"\bset_config\s*\(", re.IGNORECASE),
    re.compile(r"(?:^|;)\s*(?:LISTEN|NOTIFY|UNLISTEN)\b"),
    re.compile(r"\bpg_notify\s*\(", re.IGNORECASE),
    re.compile(r"\bWITH\s+HOLD\b"),
]


def test_no_statement_of_the_application_outlives_a_read_only_commit():
    """A read-only request's transaction ends with COMMIT: nothing it runs may change what
    the connection's next request sees. SET LOCAL is fine (it ends with the transaction)."""
    root = Path(__file__).resolve().parent.parent
    found = []
    for package in ("jgrad", "surveys", "stats"):
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            prose = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}  # docstrings
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and id(node) not in prose:
                    if any(p.search(node.value) for p in OUTLIVES_A_COMMIT):
                        found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not found, found


@pytest.mark.parametrize("statement", [
    "SET statement_timeout = '1s'", "SELECT 1; SET ROLE x", "SELECT set_config('a.b', '1', false)",
    "LISTEN jobs", "NOTIFY jobs", "SELECT pg_notify('jobs', '')",
    "DECLARE c CURSOR WITH HOLD FOR SELECT 1"])
def test_the_check_knows_each_statement_that_outlives_a_commit(statement):
    assert any(p.search(statement) for p in OUTLIVES_A_COMMIT)


def test_the_check_lets_set_local_and_updates_through():
    for statement in ("SET LOCAL work_mem = '64MB'", "UPDATE accounts SET state = 'active'",
                      "SET NULL", "SET DEFAULT"):
        assert not any(p.search(statement) for p in OUTLIVES_A_COMMIT), statement
