"""A select built once and compiled once per database, run through the driver's cursor.

For the few statements a busy page runs on every request with only its values changing
(the alumni list's pages): SQLAlchemy's own execution -- the statement's cache key, the
execution context, its rows -- cost as much as SQLite's answer. The column types' bind
and result processing is kept (dates come back as dates on SQLite too), so the rows are
those ``connection.execute`` returns, as named tuples.
"""
from __future__ import annotations

from collections import namedtuple

from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter


class Prepared:
    """Hold a Core select; :meth:`rows` runs it with ``values`` for its bound parameters."""

    def __init__(self, statement) -> None:
        self.statement = statement
        columns = list(statement.selected_columns)
        self._row = namedtuple("Row", [column.name for column in columns])
        self._columns = columns
        self._forms: dict[str, tuple] = {}

    def _form(self, dialect) -> tuple:
        form = self._forms.get(dialect.name)
        if form is None:
            # Lists of constants (``IN``) are written out once; the parameters left to bind
            # when it runs stand in as None until then.
            unbound = {bind.key: None for bind in visitors.iterate(self.statement)
                       if isinstance(bind, BindParameter) and bind.required}
            compiled = self.statement.compile(dialect=dialect)
            state = compiled.construct_expanded_state(unbound)
            binds = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                     for bind, name in compiled.bind_names.items() if name in unbound}
            # Only the columns that have a result processor are touched (dates on SQLite).
            processors = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                          for column in self._columns]
            results = [(n, process) for n, process in enumerate(processors)
                       if process is not None]
            form = (state.statement, state.positiontup, dict(state.parameters),
                    {n: p for n, p in binds.items() if p is not None}, results)
            self._forms[dialect.name] = form  # two threads at once build the same form
        return form

    def rows(self, connection, values: dict) -> list:
        """Run the statement on ``connection`` (its transaction) and return every row."""
        sql, order, constants, binds, results = self._form(connection.dialect)
        params = {**constants, **{k: v for k, v in values.items() if k in constants}}
        for name, process in binds.items():
            if params.get(name) is not None:
                params[name] = process(params[name])
        args = tuple(params[name] for name in order) if order is not None else params
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.execute(sql, args)
            found = cursor.fetchall()
        finally:
            cursor.close()
        if not results:
            return [self._row._make(row) for row in found]
        rows, make = [], self._row._make
        for row in found:
            cells = list(row)
            for n, process in results:
                if cells[n] is not None:
                    cells[n] = process(cells[n])
            rows.append(make(cells))
        return rows
