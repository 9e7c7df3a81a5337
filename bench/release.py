"""Time a full statistical release over N registrants against a plain pandas group-by.

Loads demo registrants (with careers) into a scratch database, then times: reading the input
frames with SQL, building the disclosure-controlled release (the catalogue and every
breakdown), writing its files, and, for comparison, a plain group-by of the same tables with
no disclosure control.
With ``--respondents M`` a closed copy of the example career survey answered by M of them
is added (bulk-inserted): the release is then built twice, without and with the survey's
tables, so the extra cost is measured against a floor from the same run, and reading and
coding the answers is timed on its own.
Prints the figures, their ratio (aim: at most 2) and the peak memory (aim: under 2 GB).
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from pathlib import Path


from jgrad.demo.generate import create_registrants, ensure_role_accounts, ensure_universities
from jgrad.extensions import db
from scratch import scratch_app
from jgrad.statistics.extract import people_frame, spells_frame
from jgrad.statistics.publish import write_release
from stats.catalogue import with_breakdowns
from stats.extract import deidentify
from stats.release import build_release
from stats.surveys import extend
from survey_answers import add_closed_survey
from surveys.statistics import survey_answers


def plain_groupby(people, spells, as_of, surveys=()) -> int:
    """Count every table and breakdown with a bare group-by: no suppression, no rounding."""
    extract, survey_specs = extend(deidentify(people, spells, as_of), people["pid"], surveys)
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
    parser.add_argument("--repeat", type=int, default=1,
                        help="build each release this many times, alternating; keep the best")
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    with scratch_app(args.database_url) as (app, url, folder):
        ensure_role_accounts(ensure_universities())
        db.session.commit()
        started = time.perf_counter()
        create_registrants(args.registrants)
        print(f"database: {url.split(':')[0]}; {args.registrants:,} demo registrants "
              f"loaded in {time.perf_counter() - started:.0f} s")
        if args.respondents:
            started = time.perf_counter()
            add_closed_survey(min(args.respondents, args.registrants))
            print(f"{args.respondents:,} survey responses loaded in "
                  f"{time.perf_counter() - started:.0f} s")
        now = dt.datetime.now(dt.timezone.utc)
        started = time.perf_counter()
        people, spells = people_frame(now), spells_frame(now)
        read = time.perf_counter() - started
        started = time.perf_counter()
        surveys = survey_answers(now)
        read_surveys = time.perf_counter() - started
        # Alternated and repeated (the best of each kept): the machine's other load
        # shifts single timings by more than the difference measured.
        best: dict[str, float] = {}

        def timed(name, function, *arguments, **options):
            started = time.perf_counter()
            result = function(*arguments, **options)
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)
            return result

        for _ in range(args.repeat):
            release = timed("built", build_release, people, spells, now.date())
            catalogue_tables = len(release.tables)
            cells = timed("plain", plain_groupby, people, spells, now.date())
            if surveys:
                release = timed("with_surveys", build_release, people, spells, now.date(),
                                surveys=surveys)
                survey_cells = timed("plain_surveys", plain_groupby, people, spells,
                                     now.date(), surveys) - cells
        started = time.perf_counter()
        write_release(release, Path(folder) / "release")
        written = time.perf_counter() - started
    built, plain = best["built"], best["plain"]
    with_surveys, plain_surveys = best.get("with_surveys"), best.get("plain_surveys")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"read {len(people):,} people and {len(spells):,} current spells: {read:.1f} s")
    print(f"release of the catalogue (de-identify, tabulate, suppress, audit, round): "
          f"{built:.1f} s; "
          f"files (English and Japanese) and charts: {written:.1f} s; "
          f"withheld: {len(release.withheld)}")
    print(f"plain group-by of the same {catalogue_tables} tables ({cells:,} cells): {plain:.1f} s;"
          f" ratio {built / plain:.1f} (aim: at most 2)")
    if surveys:
        answers = sum(len(s.answers) for s in surveys)
        tables = sum(t.startswith("survey.") for t in release.tables)
        print(f"survey answers: {answers:,} responses read and coded in {read_surveys:.1f} s "
              f"({read_surveys / answers * 1e6:.0f} us each)")
        print(f"release with the survey's {tables} tables ({survey_cells:,} more cells): "
              f"{with_surveys:.1f} s, {with_surveys - built:+.1f} s over the floor of "
              f"{built:.1f} s without them (x{with_surveys / built:.2f}); plain group-by with "
              f"them {plain_surveys:.1f} s, ratio {with_surveys / plain_surveys:.1f}")
    whole = read + written + (read_surveys + with_surveys if surveys else built)
    print(f"whole release including reading and files: {whole:.1f} s "
          f"(aim: under 60 s); peak memory {peak:,.0f} MB (aim: under 2,048 MB)")


if __name__ == "__main__":
    main()
