"""Time the API's upsert of N doctoral students (JSON, over the WSGI stack) against the same
rows written by the importer directly (the floor: the same plan and writes without HTTP, JSON
or the token), and a second identical call. Each runs once (a second run would find the rows
already there); reported through ``measure`` (aim: ratio at most 1.5)."""
from __future__ import annotations

import argparse
import json
import time

from jgrad.accounts.models import Account, Role
from jgrad.actors import Actor, Source
from jgrad.api import tokens
from jgrad.extensions import db
from jgrad.imports import importer
from jgrad.imports.importfile import check_records
from jgrad.universities.models import University
from measure import report
from scratch import scratch_app


def students(prefix: str, rows: int) -> list[dict]:
    return [{"student_number": f"{prefix}{n:07d}", "family_name": "佐藤", "given_name": f"健太{n}",
             "family_name_roman": "Sato", "given_name_roman": f"Kenta{n}",
             "email": f"{prefix.lower()}{n}@bench.example", "birth_year": 1980 + n % 20,
             "sex": "male", "nationality": "JP", "graduate_school": "Graduate School of Science",
             "major": "Physics", "field": "05", "programme_type": "latter",
             "entry_date": f"{2000 + n % 24}-04-01", "status": "degree_awarded",
             "status_date": f"{2003 + n % 24}-03-31", "degree": "Doctor of Science"}
            for n in range(rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000, help="at most 5,000 per call")
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    with scratch_app(args.database_url, context=False,
                     API_RATE_LIMIT="1000 per minute") as (app, url, _folder):
        with app.app_context():
            floor_university = University(code="FLOOR", name_en="Floor", name_ja="下限")
            university = University(code="BENCH", name_en="Bench", name_ja="ベンチ")
            admin = Account(role=Role.ADMIN, login="admin@bench.example",
                            email="admin@bench.example", state="active")
            db.session.add_all([floor_university, university, admin])
            db.session.commit()
            started = time.perf_counter()
            parsed = check_records(students("F", args.rows))
            plan = importer.plan(floor_university.id, parsed.rows)
            importer.apply(floor_university, plan,
                           Actor(Source.UNIVERSITY, None, floor_university.id))
            db.session.commit()
            floor = time.perf_counter() - started
            _, raw = tokens.create_university_token(
                university, name="bench", scopes=["records:read", "records:write"], days=1,
                by=admin)
            db.session.commit()
        body = json.dumps({"students": students("A", args.rows)})
        client = app.test_client()
        print(f"database: {url.split(':')[0]}; {args.rows:,} students, "
              f"{len(body) / 1e6:.1f} MB of JSON")
        for label in ("API, first call", "API, same call again"):
            started = time.perf_counter()
            response = client.post("/api/v1/universities/BENCH/students", data=body,
                                   content_type="application/json",
                                   headers={"Authorization": f"Bearer {raw}"})
            took = time.perf_counter() - started
            assert response.status_code == 200, (response.status_code, response.get_json())
            report("api_upsert", label, took, floor, n=args.rows,
                   database_url=args.database_url, unit="s", aim="ratio <= 1.5",
                   extra={"answer": response.get_json()})

if __name__ == "__main__":
    main()
