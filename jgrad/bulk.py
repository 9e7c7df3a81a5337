"""Bulk writes through the driver alone, for loads where SQLAlchemy's per-row work would cost
more than the database's: ids taken first, rows written by one ``executemany`` (SQLite) or
``COPY ... FROM STDIN`` (PostgreSQL) in the session's transaction, look-ups by many values.
"""
from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import sqlalchemy as sa

#: Values per ``IN`` list on SQLite, which bounds the parameters of one statement.
IN_CHUNK = 900


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


def among(session, column, values: Sequence) -> list:
    """Conditions that between them pick the rows whose ``column`` holds one of ``values``:
    one ``= ANY(array)`` on PostgreSQL (a single parameter, however many values), ``IN``
    lists of at most ``IN_CHUNK`` values on SQLite."""
    values = list(values)
    if not values:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return [column == sa.any_(sa.bindparam(None, values, type_=sa.ARRAY(column.type)))]
    return [column.in_(values[start:start + IN_CHUNK])
            for start in range(0, len(values), IN_CHUNK)]


def write_rows(session, table: sa.Table, rows: list[dict], *,
               skip_taken: str | None = None) -> None:
    """Insert many rows of the same keys: ``write_columns`` for rows given as mappings."""
    if rows:
        write_columns(session, table, {name: [row[name] for row in rows] for name in rows[0]},
                      skip_taken=skip_taken)


def write_columns(session, table: sa.Table, columns: Mapping[str, Sequence],
                  same: Mapping[str, object] | None = None, *,
                  skip_taken: str | None = None) -> None:
    """Insert one row per position of ``columns`` (lists of one length, by column name),
    each also holding ``same``'s values, through the driver alone in the session's
    transaction: one ``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL.

    Each column's bind processing (UTC datetimes, JSON, booleans) is the column type's own,
    applied once for a value in ``same`` and once per distinct value in a list where values
    repeat; Python-side column defaults are filled in as ``sa.insert`` would.

    ``skip_taken`` names a column with a unique index: a row whose value there is in the
    table already, or earlier in the same write, is left out (``ON CONFLICT DO NOTHING``).
    On PostgreSQL the rows are copied in a savepoint, and only when that meets a conflict
    are they inserted again row by row, skipping the taken ones.
    """
    count = len(next(iter(columns.values()))) if columns else 0
    if count == 0:
        return
    session.flush()  # what the session holds goes first, as an autoflush would
    connection = session.connection()
    dialect = connection.dialect
    names, records = _records(table, columns, same or {}, count, dialect)
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    target = dialect.identifier_preparer.format_table(table)
    marks = ", ".join(("%s" if dialect.name == "postgresql" else "?") for _ in names)
    insert = f"INSERT INTO {target} ({quoted}) VALUES ({marks})"
    if skip_taken is not None:
        insert += f" ON CONFLICT ({dialect.identifier_preparer.quote(skip_taken)}) DO NOTHING"
    cursor = connection.connection.cursor()
    try:
        if dialect.name != "postgresql":
            cursor.executemany(insert, records)
        elif skip_taken is None:
            _copy(cursor, target, quoted, records)
        else:
            cursor.execute("SAVEPOINT write_columns")
            try:
                _copy(cursor, target, quoted, records)
            except dialect.dbapi.IntegrityError:
                cursor.execute("ROLLBACK TO SAVEPOINT write_columns")
                cursor.executemany(insert, records)  # any other conflict is raised here
            cursor.execute("RELEASE SAVEPOINT write_columns")
    finally:
        cursor.close()


def write_columns_with_ids(session, table: sa.Table, columns: Mapping[str, Sequence],
                           same: Mapping[str, object] | None = None) -> list[int]:
    """``write_columns`` with ids taken first; return the ids in row order."""
    count = len(next(iter(columns.values())))
    ids = allocate_ids(session, table, count)
    write_columns(session, table, {**columns, "id": ids}, same)
    return ids


def _records(table: sa.Table, columns: Mapping[str, Sequence], same: Mapping[str, object],
             count: int, dialect) -> tuple[list[str], list[tuple]]:
    """The column names to write and each row's bind-processed values, defaults filled in."""
    given = {**columns, **same}
    defaults = [c for c in table.c if c.name not in given and c.default is not None
                and not c.default.is_sequence]
    if any(c.default.is_clause_element for c in defaults):
        raise ValueError(f"{table.name}: a column with a SQL default must be given")
    names = list(given) + [c.name for c in defaults]
    values = []
    for name in names:
        column = table.c[name]
        process = column.type._cached_bind_processor(dialect)
        if name in columns:
            cells = columns[name]
            if len(cells) != count:
                raise ValueError(f"{table.name}.{name}: {len(cells)} values for {count} rows")
            if process is not None:
                cells = ([process(cell) for cell in cells] if _document(column.type)
                         else _processed(cells, process))
        elif name in same or not column.default.is_callable:
            value = same[name] if name in same else column.default.arg
            cells = itertools.repeat(value if process is None else process(value), count)
        else:
            cells = [column.default.arg(None) for _ in range(count)]
            if process is not None:
                cells = _processed(cells, process)
        values.append(cells)
    return names, list(zip(*values))


def _copy(cursor, target: str, quoted: str, records: list[tuple]) -> None:
    with cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
        for record in records:
            copy.write_row(record)


def _document(type_) -> bool:
    """Whether a column holds documents (JSON): values never worth remembering by value."""
    return isinstance(getattr(type_, "impl_instance", type_), sa.JSON)


def _processed(values: Sequence, process) -> list:
    """Bind-process a column's values, each distinct hashable value once."""
    done: dict = {}
    out = []
    for value in values:
        try:
            out.append(done[value])
        except KeyError:
            out.append(done.setdefault(value, process(value)))
        except TypeError:  # unhashable (a list)
            out.append(process(value))
    return out
