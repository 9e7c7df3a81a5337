"""Time a university import of N new doctoral students (CSV), then its idempotent re-import.

The floor is the minimal bulk write of the same rows: whatever the import wrote (accounts,
registrants, enrolments, their history, tokens, the outbox, the audit event) is read back
and written again, table by table, with the driver alone -- a raw DB-API ``executemany`` on
SQLite, ``COPY ... FROM STDIN`` (psycopg's ``cursor.copy``) on PostgreSQL. The first import
and the floor run alternately, each rolled back (``measure.interleave``); then one import is
committed and the same file imported again (it writes nothing) a few times, reported beside
the floor's runs from the first part (the floor cannot write those rows again once they are
in). Aim: at most 2x the floor on SQLite, 1.5x on PostgreSQL.
"""
from __future__ import annotations

import argparse
import time

import sqlalchemy as sa

from jgrad.actors import Actor, Source
from jgrad.extensions import db
from jgrad.imports import importer
from jgrad.imports.importfile import COLUMNS, parse
from jgrad.universities.models import University
from measure import interleave, report
from scratch import scratch_app


def make_csv(rows: int) -> bytes:
    lines = [",".join(COLUMNS)]
    for n in range(rows):
        lines.append(",".join([
            f"D{n:07d}", "佐藤", f"健太{n}", "サトウ", "ケンタ", "Sato", f"Kenta{n}",
            f"student{n}@bench.example", str(1980 + n % 20), "male", "JP",
            "Graduate School of Engineering", "Materials Science", "07", "latter",
            f"{2000 + n % 24}-04-01", "degree_awarded", f"{2003 + n % 24}-03-31",
            "Doctor of Engineering"]))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def run(university, data: bytes, times: dict[str, list[float]] | None = None) -> dict:
    """Import the file in the current transaction (the caller commits or rolls back)."""
    steps = []
    started = time.perf_counter()
    parsed = parse(data, "bench.csv")
    steps.append(("read and check", time.perf_counter()))
    plan = importer.plan(university.id, parsed.rows)
    steps.append(("plan", time.perf_counter()))
    summary = importer.apply(university, plan, Actor(Source.UNIVERSITY, None, university.id))
    db.session.flush()
    steps.append(("write", time.perf_counter()))
    if times is not None:
        for name, at in steps:
            times.setdefault(name, []).append(at - started)
            started = at
    return summary


def _tables() -> list[sa.Table]:
    return [t for t in db.metadata.sorted_tables if "id" in t.c]


def _last_ids() -> dict[str, int]:
    return {t.name: db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0)))
            for t in _tables()}


def written_rows(before: dict[str, int]) -> list[tuple[str, list[str], list[tuple]]]:
    """The rows the import added to each table, as the driver returns them, in FK order."""
    written = []
    for table in _tables():
        names = [c.name for c in table.c]
        rows = db.session.execute(sa.select(*(sa.literal_column(f'"{n}"') for n in names))
                                  .select_from(sa.table(table.name))
                                  .where(sa.literal_column("id") > before[table.name])
                                  .order_by(sa.literal_column("id"))).all()
        if rows:
            written.append((table.name, names, [tuple(r) for r in rows]))
    return written


def floor(written, dialect: str):
    """Return a function writing ``written`` with the bare driver, then rolling it back."""
    def sqlite_floor():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            for table, names, rows in written:
                columns = ", ".join(f'"{n}"' for n in names)
                marks = ", ".join("?" for _ in names)
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        finally:
            connection.rollback()
            connection.close()

    def postgresql_floor():
        from psycopg.types.json import Json
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            for table, names, rows in written:
                json = [i for i, c in enumerate(db.metadata.tables[table].c)
                        if isinstance(c.type, sa.JSON)]
                columns = ", ".join(f'"{n}"' for n in names)
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        if json:
                            row = list(row)
                            for i in json:
                                row[i] = None if row[i] is None else Json(row[i])
                        copy.write_row(row)
        finally:
            connection.rollback()
            connection.close()

    return postgresql_floor if dialect == "postgresql" else sqlite_floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="alternated runs of each case")
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    data = make_csv(args.rows)
    with scratch_app(args.database_url) as (app, url, folder):
        university = University(code="BENCH", name_en="Bench University", name_ja="ベンチ大学")
        db.session.add(university)
        db.session.commit()
        dialect = db.engine.dialect.name
        print(f"database: {dialect}; {args.rows:,} rows, {len(data) / 1e6:.1f} MB of CSV")
        before = _last_ids()
        summary = run(university, data)
        written = written_rows(before)
        db.session.rollback()
        print(f"first import: {summary}; writes "
              + ", ".join(f"{table} {len(rows):,}" for table, _, rows in written))
        write_floor = floor(written, dialect)
        steps: dict[str, list[float]] = {}

        def first_import():
            run(university, data, steps)
            db.session.rollback()

        times = interleave({"import": first_import, "floor": write_floor}, runs=args.runs,
                           warm=0)
        floor_times = times["floor"]
        aim = "ratio <= 1.5 (COPY)" if dialect == "postgresql" else "ratio <= 2 (executemany)"
        report("import", "new file", times["import"], times["floor"], aim=aim, n=args.rows,
               database_url=args.database_url, unit="s")
        print("  steps (median s): " + ", ".join(
            f"{name} {sorted(v)[len(v) // 2]:.1f}" for name, v in steps.items()))
        run(university, data)
        db.session.commit()
        steps.clear()
        summaries = []

        def again():
            summaries.append(run(university, data, steps))
            db.session.rollback()

        times = interleave({"import": again}, runs=args.runs, warm=0)
        print(f"same file again: {summaries[-1]}")
        report("import", "same file again", times["import"], floor_times, aim=aim,
               n=args.rows, database_url=args.database_url, unit="s")
        print("  steps (median s): " + ", ".join(
            f"{name} {sorted(v)[len(v) // 2]:.1f}" for name, v in steps.items()))


if __name__ == "__main__":
    main()
