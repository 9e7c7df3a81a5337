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
    """Give every SQLite connection WAL, enforced foreign keys and a busy timeout."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Writers wait for a long import to commit instead of failing (30 s, not 5 s).
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _render_item(type_, obj, autogen_context):
    """Write UTCDateTime into migrations as the plain column type it stores as."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _include_name(name, type_, parent_names) -> bool:
    """Leave SQLite's FTS5 name table (migration 0013) and its shadow tables out of
    autogenerate: made by the migration alone, no model describes them."""
    return not (type_ == "table" and name and name.startswith("registrant_names"))


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


def allocate_ids(session, table: sa.Table, count: int) -> list[int]:
    """Reserve ``count`` primary keys for a bulk insert with explicit ids.

    Inserting with RETURNING and a guaranteed row order falls back to slow paths on some
    drivers; taking the ids first lets one plain executemany do the work.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = session.scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                  {"t": table.name})
        return list(session.scalars(sa.text(
            "SELECT nextval(CAST(:s AS regclass)) FROM generate_series(1, :n)"),
            {"s": sequence, "n": count}))
    # SQLite: a no-op write takes the database's write lock first, so no other writer can
    # take the same ids before this transaction commits.
    session.execute(table.update().where(sa.false()).values({table.c.id: table.c.id}))
    start = session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))) + 1
    return list(range(start, start + count))


def insert_with_ids(session, table: sa.Table, rows: list[dict]) -> list[int]:
    """Insert rows in one executemany with ids taken first; return the ids in row order."""
    ids = allocate_ids(session, table, len(rows))
    session.execute(sa.insert(table), [dict(row, id=i) for row, i in zip(rows, ids, strict=True)])
    return ids


def write_rows(session, table: sa.Table, rows: list[dict]) -> None:
    """Insert many rows of the same keys through the driver alone, in the session's
    transaction: one ``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL.

    For bulk loads, where SQLAlchemy's per-row parameter handling costs more than the
    database's work. Each column's bind processing (UTC datetimes, JSON, booleans) is the
    column type's own, applied once per distinct value where values repeat (a timestamp, a
    source); Python-side column defaults are filled in as ``sa.insert`` would.
    """
    if not rows:
        return
    session.flush()  # what the session holds goes first, as an autoflush would
    connection = session.connection()
    dialect = connection.dialect
    given = list(rows[0])
    defaults = [c for c in table.c if c.name not in rows[0] and c.default is not None
                and not c.default.is_sequence]
    if any(c.default.is_clause_element for c in defaults):
        raise ValueError(f"{table.name}: a column with a SQL default must be given")
    names = given + [c.name for c in defaults]
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    columns = []
    for index, name in enumerate(names):
        if index < len(given):
            values = [row[name] for row in rows]
        else:
            default = table.c[name].default
            values = ([default.arg(None) for _ in rows] if default.is_callable
                      else [default.arg] * len(rows))
        process = processors[index]
        if process is not None:
            values = _processed(values, process)
        columns.append(values)
    records = list(zip(*columns))
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    target = dialect.identifier_preparer.format_table(table)
    cursor = connection.connection.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
        else:
            marks = ", ".join("?" for _ in names)
            cursor.executemany(f"INSERT INTO {target} ({quoted}) VALUES ({marks})", records)
    finally:
        cursor.close()


def write_rows_with_ids(session, table: sa.Table, rows: list[dict]) -> list[int]:
    """``write_rows`` with ids taken first; return the ids in row order."""
    ids = allocate_ids(session, table, len(rows))
    write_rows(session, table, [dict(row, id=i) for row, i in zip(rows, ids, strict=True)])
    return ids


def _processed(values: list, process) -> list:
    """Bind-process a column's values, each distinct hashable value once."""
    done: dict = {}
    out = []
    for value in values:
        try:
            out.append(done[value])
        except KeyError:
            out.append(done.setdefault(value, process(value)))
        except TypeError:  # unhashable (a JSON document)
            out.append(process(value))
    return out
