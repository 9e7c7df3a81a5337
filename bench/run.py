"""Run every benchmark at one size and gather their results into a Markdown table.

``make bench`` calls this with ``BENCH_N`` (the size every script's own size is derived from),
``BENCH_DB`` (empty: a new SQLite file per script; else a PostgreSQL URL of a database kept
for benchmarks, which each script empties) and ``BENCH_REDIS`` (the load case's rate-limit
store; empty: the limits are off under load). Each script reports its cases through
``measure.report`` into one JSON-lines file; a script that fails or runs too long is listed
as failed and the others still run. The table (machine, cores, load average, N, database,
then one row per case: median, floor, ratio, aim) is printed and written to ``--markdown``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(n: int) -> list[tuple[str, list[str]]]:
    """Each script and its size flags for ``BENCH_N`` = n."""
    small = max(n // 10, 100)
    return [
        ("alumni_list.py", ["--registrants", str(n), "--alumni", str(max(n // 20, 100)),
                            "--repeats", "5"]),
        ("load.py", ["--registrants", str(n)]),
        ("import_file.py", ["--rows", str(max(n // 4, 100))]),
        ("release.py", ["--registrants", str(n)]),
        ("dormancy.py", ["--registrants", str(n)]),
        ("survey_wave.py", ["--registrants", str(n)]),
        ("survey_invitations.py", ["--registrants", str(max(n // 4, 100))]),
        ("survey_page.py", ["--repeats", "20"]),
        ("api_upsert.py", ["--rows", str(min(max(n // 4, 100), 5000))]),
        ("demo_data.py", ["--registrants", str(small)]),
    ]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ms(seconds) -> str:
    return "" if seconds is None else f"{seconds * 1000:,.1f}"


def table(results: list[dict], failed: list[tuple[str, str]], header: dict) -> str:
    """The Markdown of one run: what it ran on, then a row per case, then the failures."""
    lines = [f"- {key}: {value}" for key, value in header.items()]
    lines += ["", "| bench | case | median (ms) | floor (ms) | ratio | other | aim |",
              "|---|---|---:|---:|---:|---|---|"]
    for r in results:
        ratio = "" if r.get("ratio") is None else f"{r['ratio']:.2f}"
        other = ", ".join(f"{k} {v}" for k, v in (r.get("extra") or {}).items())
        lines.append(f"| {r['bench']} | {r['case']} | {_ms(r['seconds'])} | "
                     f"{_ms(r.get('floor_seconds'))} | {ratio} | {other} | {r.get('aim', '')} |")
    for script, why in failed:
        lines.append(f"| {script} | **failed**: {why} | | | | | |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N") or 20_000))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DB") or None)
    parser.add_argument("--only", nargs="*", help="run these scripts only (e.g. load.py)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per script")
    parser.add_argument("--markdown", default="bench-results.md",
                        help="where to write the table (default: bench-results.md)")
    args = parser.parse_args()
    chosen = [(s, flags) for s, flags in scripts(args.n) if not args.only or s in args.only]
    unknown = set(args.only or ()) - {s for s, _ in scripts(args.n)}
    if unknown:
        raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))}")
    database = (args.database_url or "sqlite").split(":")[0].split("+")[0]
    load_before = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    failed: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "results.jsonl"
        # The checkout's own code is measured, whatever the virtualenv was installed from.
        path = os.pathsep.join(p for p in (str(HERE.parent), os.environ.get("PYTHONPATH"))
                               if p)
        env = {**os.environ, "BENCH_RESULTS": str(out), "PYTHONPATH": path}
        for script, flags in chosen:
            command = [sys.executable, str(HERE / script), *flags]
            if args.database_url:
                command += ["--database-url", args.database_url]
            print(f"\n=== {script} {' '.join(flags)}", flush=True)
            try:
                done = subprocess.run(command, env=env, timeout=args.timeout)
                if done.returncode:
                    failed.append((script, f"exit status {done.returncode}"))
            except subprocess.TimeoutExpired:
                failed.append((script, f"still running after {args.timeout} s"))
        results = [json.loads(line) for line in out.read_text().splitlines()] \
            if out.exists() else []
    header = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load average (1, 5, 15 min) before / after": f"{load_before} / "
                                                      f"{[round(x, 2) for x in os.getloadavg()]}",
        "N (BENCH_N)": f"{args.n:,}",
        "database": database,
        "wall time": f"{time.perf_counter() - started:.0f} s",
    }
    text = table(results, failed, header)
    Path(args.markdown).write_text(text, encoding="utf-8")
    print("\n" + text)
    if failed:
        raise SystemExit(f"{len(failed)} benchmark(s) failed: "
                         f"{', '.join(s for s, _ in failed)}")


if __name__ == "__main__":
    main()
