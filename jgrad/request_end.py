"""End a web request's read-only transaction on PostgreSQL so that its statements stay
prepared.

Psycopg prepares a statement once it has run five times on a connection, and then PostgreSQL
neither parses nor plans it again: for the two queries of ``/me`` (the signed-in account,
the record) that is about a millisecond of a request. But psycopg forgets every prepared
statement and every count on ``ROLLBACK`` (a rolled-back transaction may have dropped what
they refer to), and a request that only reads ended in the ``ROLLBACK`` Flask-SQLAlchemy's
teardown sends: nothing was ever prepared.

So a web request whose transaction wrote no rows ends it with ``COMMIT``. PostgreSQL itself
tells: a transaction is given an id at its first change to a table of any kind (an ORM flush,
a raw cursor's ``INSERT``, a trigger, ``SELECT ... FOR UPDATE``, DDL, a temporary table), and
``pg_current_xact_id_if_assigned()`` is still null when there was none. The check and the
commit go in one round trip, as the ``ROLLBACK`` did: the check divides by zero when the
transaction has an id, which stops the statements there and leaves the transaction to the
rollback that follows, as before.

A ``COMMIT`` of such a transaction is not quite a ``ROLLBACK``: a setting changed with a
plain ``SET`` or ``set_config(..., false)``, a ``LISTEN`` or ``NOTIFY`` and a cursor ``WITH
HOLD`` outlive it, on a pooled connection the next request may share. The application uses
none of them (``SET LOCAL`` ends with the transaction either way), and
tests/test_request_end.py fails if its code starts to.

Every transaction that is not plainly read-only is rolled back as before: one that wrote, one
that failed, one whose ORM objects hold changes never flushed, one with files to remove after
a commit. The ORM is not told of the commit: for it the transaction is rolled back as it
always was, with no commit hooks, and the rollback reaches psycopg with nothing to undo.
Only an application context in which a web request was dispatched ends this way, when its
session ends; commands and jobs roll back as before, and a page a job renders in a request
context of its own changes nothing in the job's transaction.
"""
from __future__ import annotations

import logging

from flask import Flask, g

log = logging.getLogger(__name__)

# PostgreSQL 13 renamed txid_current_if_assigned(); both give null before a transaction's
# first write. The comment names the statement in the server's log when it stops a commit.
_END = ("/* JGRAD: commit only if nothing was written, else stop here (division by zero) "
        "and roll back */ SELECT 1 / ({}() IS NULL)::int; COMMIT")
_COMMIT_IF_NOTHING_WRITTEN = {True: _END.format("pg_current_xact_id_if_assigned"),
                              False: _END.format("txid_current_if_assigned")}


def init_app(app: Flask) -> None:
    app.before_request(_web_request)
    # At the end of the application context, where the session ends (a request's own, or a
    # command's or job's, which may render pages in requests of their own on its session):
    # registered after Flask-SQLAlchemy's, it runs first, before the session's removal
    # rolls back whatever is left.
    app.teardown_appcontext(_commit_if_nothing_written)


def _web_request() -> None:
    g.jgrad_web_request = True


def _commit_if_nothing_written(error: BaseException | None) -> None:
    from jgrad.extensions import db

    if error is not None or not g.get("jgrad_web_request") or not db.session.registry.has():
        return
    session = db.session()
    transaction = session.get_transaction()
    if (transaction is None or not transaction.is_active or session.in_nested_transaction()
            or session.new or session.dirty or session.deleted or session.info):
        return
    if session.get_bind().dialect.name != "postgresql":
        return
    import psycopg
    from psycopg.pq import TransactionStatus

    try:
        driver = session.connection().connection.driver_connection
        if driver.info.transaction_status != TransactionStatus.INTRANS:
            return  # idle, or a failed transaction: the rollback ends it as before
        with driver.cursor() as cursor:
            cursor.execute(_COMMIT_IF_NOTHING_WRITTEN[driver.info.server_version >= 130000])
    except psycopg.errors.DivisionByZero:
        pass  # it wrote: the rollback that follows undoes it
    except Exception:  # the rollback that follows ends the transaction whatever happened
        log.exception("could not end a read-only transaction with a commit")
