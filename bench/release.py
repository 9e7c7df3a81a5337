"""Time a full statistical release over N registrants against a plain pandas group-by.

Loads demo registrants (with careers) into a scratch database, then times: reading the input
frames with SQL; de-identifying them (``stats.extract.deidentify``) on its own; building the
disclosure-controlled release (the catalogue and every breakdown, de-identification
included) against its floor, a plain group-by of every table over the *already de-identified*
extract (no suppression, no rounding), the two run alternately ``--repeat`` times
(``measure.interleave``); writing the release's files; the whole release (read, build,
files); and drawing the catalogue's charts, which the app does once the release is stored.
With ``--respondents M`` a closed copy of the example career survey answered by M of them
is added (bulk-inserted): the release is then built with the survey's tables too, against the
plain group-by of the extract extended with the survey's columns, and reading and coding the
answers is timed on its own.
Reports through ``measure.report``; aims: build at most 3x its floor, whole release at
1,000,000 under 30 s and 1.5 GB peak memory.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from pathlib import Path

import sqlalchemy as sa

from jgrad.demo.generate import create_registrants, ensure_role_accounts, ensure_universities
from jgrad.extensions import db
from jgrad.registrants.models import Registrant
from jgrad.statistics.extract import people_frame, spells_frame
from jgrad.statistics.publish import draw_charts, write_release
from measure import interleave, report
from scratch import scratch_app
from stats.catalogue import with_breakdowns
from stats.extract import deidentify
from stats.release import build_release
from stats.surveys import extend
from survey_answers import add_closed_survey
from surveys.statistics import survey_answers


def plain_groupby(extract, survey_specs=()) -> int:
    """Count every table and breakdown of a de-identified extract with a bare group-by."""
    cells = 0
    for spec in (*with_breakdowns(), *survey_specs):
        frame = extract
        for name, values in spec.population:
            frame = frame[frame[name].isin(values)]
        for name, values in spec.excluding:
            frame = frame[~frame[name].isin(values)]
        counts = frame.groupby([*spec.rows, spec.column], observed=False).size()
        cells += len(counts)
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=1_000_000)
    parser.add_argument("--respondents", type=int, default=0,
                        help="add a closed survey answered by this many registrants")
    parser.add_argument("--repeat", type=int, default=3,
                        help="alternated runs of the build and its floor (medians kept)")
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the registrants already in --database-url when there are "
                             "as many (build once, time many)")
    args = parser.parse_args()
    n, url_given = args.registrants, args.database_url
    with scratch_app(args.database_url, keep=args.keep) as (app, url, folder):
        ensure_role_accounts(ensure_universities())
        db.session.commit()
        have = db.session.scalar(sa.select(sa.func.count(Registrant.id)))
        if have < n:
            started = time.perf_counter()
            create_registrants(n - have)
            print(f"database: {url.split(':')[0]}; {n - have:,} demo registrants "
                  f"loaded in {time.perf_counter() - started:.0f} s")
            if args.respondents:
                started = time.perf_counter()
                add_closed_survey(min(args.respondents, n))
                print(f"{args.respondents:,} survey responses loaded in "
                      f"{time.perf_counter() - started:.0f} s")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        now = dt.datetime.now(dt.timezone.utc)
        started = time.perf_counter()
        people, spells = people_frame(now), spells_frame(now)
        read = time.perf_counter() - started
        report("release", "read people and spells (SQL)", read, None, n=n,
               database_url=url_given, unit="s")
        started = time.perf_counter()
        surveys = survey_answers(now) if args.respondents else []
        read_surveys = time.perf_counter() - started
        extract = deidentify(people, spells, now.date())
        extract, survey_specs = extend(extract, people["pid"], surveys)
        releases = []
        times = interleave({
            "de-identify": lambda: deidentify(people, spells, now.date()),
            "build": lambda: releases.append(build_release(people, spells, now.date(),
                                                           surveys=surveys)),
            "floor": lambda: plain_groupby(extract, survey_specs),
        }, runs=args.repeat, warm=0)
        release = releases[-1]
        report("release", "de-identification", times["de-identify"], None, n=n,
               database_url=url_given, unit="s")
        report("release", "build (de-identify, tabulate, protect)", times["build"],
               times["floor"], aim="ratio <= 3", n=n, database_url=url_given, unit="s")
        started = time.perf_counter()
        write_release(release, Path(folder) / "release")
        written = time.perf_counter() - started
        report("release", "files (English, Japanese)", written, None, n=n,
               database_url=url_given, unit="s")
        started = time.perf_counter()
        drawn = draw_charts(release, Path(folder) / "release")
        report("release", f"charts drawn after it is stored ({drawn})",
               time.perf_counter() - started, None, n=n, database_url=url_given, unit="s")
    build = sorted(times["build"])[len(times["build"]) // 2]
    whole = read + read_surveys + build + written
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(people):,} people, {len(spells):,} current spells; "
          f"{len(release.tables)} tables, {plain_groupby(extract, survey_specs):,} cells; "
          f"withheld: {len(release.withheld)}; peak memory {peak:,.0f} MB (aim: under 1,536 MB)")
    if surveys:
        answers = sum(len(s.answers) for s in surveys)
        print(f"survey answers: {answers:,} responses read and coded in {read_surveys:.1f} s")
    report("release", "whole release (read, build, files)", whole, None,
           aim="under 30 s at 1,000,000", n=n, database_url=url_given, unit="s")


if __name__ == "__main__":
    main()
