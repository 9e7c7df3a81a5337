"""Time a university import of N new doctoral students (CSV), then its idempotent re-import."""
from __future__ import annotations

import argparse
import time


from jgrad.actors import Actor, Source
from jgrad.extensions import db
from scratch import scratch_app
from jgrad.imports import importer
from jgrad.imports.importfile import COLUMNS, parse
from jgrad.universities.models import University


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


def run(university, data: bytes) -> tuple[dict, dict[str, float]]:
    times = {}
    started = time.perf_counter()
    parsed = parse(data, "bench.csv")
    times["read and check"] = time.perf_counter() - started
    started = time.perf_counter()
    plan = importer.plan(university.id, parsed.rows)
    times["plan"] = time.perf_counter() - started
    started = time.perf_counter()
    summary = importer.apply(university, plan, Actor(Source.UNIVERSITY, None, university.id))
    db.session.commit()
    times["write"] = time.perf_counter() - started
    return summary, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    data = make_csv(args.rows)
    with scratch_app(args.database_url) as (app, url, folder):
        university = University(code="BENCH", name_en="Bench University", name_ja="ベンチ大学")
        db.session.add(university)
        db.session.commit()
        print(f"database: {url.split(':')[0]}; {args.rows:,} rows, "
              f"{len(data) / 1e6:.1f} MB of CSV")
        for label in ("first import", "same file again"):
            summary, times = run(university, data)
            total = sum(times.values())
            steps = ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
            print(f"{label}: {summary} in {total:.1f} s ({steps})")


if __name__ == "__main__":
    main()
