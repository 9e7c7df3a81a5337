"""End a web request's read-only transaction on PostgreSQL so that its statements stay
prepared.

Psycopg prepares a statement once it has run five times on a connection, and then PostgreSQL
neither parses nor plans it again: for the two queries of ``/me`` (the signed-in account,
the record) that is about a millisecond of a request. But psycopg forgets every prepared
statement and every count on ``ROLLBACK`` (a rolled-back transaction may have dropped what
they refer to), and a request that only reads ends in the ``ROLLBACK`` Flask-SQLAlchemy's
teardown sends: nothing was ever prepared.

So a request whose transaction wrote nothing ends it with ``COMMIT``, which for such a
transaction is the same thing. PostgreSQL itself tells: a transaction is given an id at its
first write of any kind (an ORM flush, a raw cursor's ``INSERT``, a trigger, ``SELECT ...
FOR UPDATE``, DDL), and ``pg_current_xact_id_if_assigned()`` is still null when there was
none. The check and the commit go in one round trip, as the ``ROLLBACK`` did: the check
divides by zero when the transaction has an id, which stops the statements there and leaves
the transaction to the rollback that follows, as before.

Every transaction that is not plainly read-only is rolled back as before: one that wrote, one
that failed, one whose ORM objects hold changes never flushed, one with files to remove after
a commit. The ORM is not told of the commit: for it the transaction is rolled back as it
always was, with no commit hooks, and the rollback reaches psycopg with nothing to undo.
"""
from __future__ import annotations

import logging

from flask import Flask

log = logging.getLogger(__name__)

# PostgreSQL 13 renamed txid_current_if_assigned(); both give null before a transaction's
# first write. The comment names the statement in the server's log when it stops a commit.
_END = ("/* JGRAD: commit only if nothing was written, else stop here (division by zero) "
        "and roll back */ SELECT 1 / ({}() IS NULL)::int; COMMIT")
_COMMIT_IF_NOTHING_WRITTEN = {True: _END.format("pg_current_xact_id_if_assigned"),
                              False: _END.format("txid_current_if_assigned")}


def init_app(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's: teardowns run last-registered first, so this one
    # sees the session before its removal rolls it back.
    app.teardown_appcontext(_commit_if_nothing_written)


def _commit_if_nothing_written(error: BaseException | None) -> None:
    from jgrad.extensions import db

    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if (not session.in_transaction() or session.in_nested_transaction()
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
