"""Declarative base, common column types and the SQLite connection pragmas."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry

# SQLite takes a table hint ("INDEXED BY ix_...") right after the table's name; SQLAlchemy
# renders select.with_hint(table, text, "sqlite") only where a dialect says how to.
SQLiteCompiler.get_from_hint_text = lambda self, table, text: text

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Store aware datetimes as UTC and always hand back aware UTC datetimes."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        value = value.astimezone(dt.timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Give every SQLite connection WAL, enforced foreign keys, a busy timeout and room to
    keep what it reads."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Writers wait for a long import to commit instead of failing (30 s, not 5 s).
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite's own page cache is 2 MB: the alumni list's walk of the name index at 20,000
    # registrants reads more than that, and re-read every page from the OS on every list
    # (1.3-1.6 ms; 0.5 ms with room for it). Reads through a memory map also spare the
    # copies when a page is read again after another process wrote (which empties the
    # cache of every other connection).
    cursor.execute("PRAGMA cache_size=-32768")  # in KiB: up to 32 MiB a connection
    cursor.execute("PRAGMA mmap_size=268435456")  # up to 256 MiB of the file mapped
    cursor.close()


def _render_item(type_, obj, autogen_context):
    """Write UTCDateTime into migrations as the plain column type it stores as."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _include_name(name, type_, parent_names) -> bool:
    """Leave SQLite's FTS5 name tables (migrations 0013, 0016) and their shadow tables, and
    PostgreSQL's GIN index of a university's names (0016), out of autogenerate: made by the
    migrations alone, no model describes them (the index's first column needs btree_gin,
    and SQLite has none)."""
    if type_ == "index":
        return name != "ix_enrolments_university_names"
    return not (type_ == "table" and name
                and name.startswith(("registrant_names", "enrolment_names")))


# Options shared by migrations/env.py and the test that compares models with migrations.
ALEMBIC_OPTIONS = {
    "include_name": _include_name,
    "render_as_batch": True,  # SQLite alters tables by copying them
    "compare_type": True,
    "compare_server_default": True,
    "render_item": _render_item,
}


def commit_keeping_loaded(session) -> None:
    """Commit without expiring what the session has loaded.

    For a page that records what it read (an audit event) and then renders it: the rows it
    loaded are what it just read, so reading them again after the commit (the signed-in
    account first of all) would only cost queries.
    """
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def purge_deleted_from_text_indexes(session) -> None:
    """Rewrite SQLite's FTS5 tables (the name search's, migrations 0013 and 0016) so that
    what was deleted from them leaves their index too.

    FTS5 records a deletion as a marker beside the old entries, which stay in its index
    until segments merge: a deleted person's names would be left as trigrams. ``optimize``
    merges every segment into one without them (1.3-1.9 s for 1,000,000 enrolments). Other
    databases have no such tables; nothing is done there.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    tables = session.scalars(sa.text(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'")).all()
    for table in tables:
        session.execute(sa.text(f'INSERT INTO "{table}" ("{table}") VALUES (\'optimize\')'))
