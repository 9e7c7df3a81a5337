"""What every benchmark prints: a figure beside its floor, interleaved, medians, ratio.

A case and its floor (the minimal equivalent operation: hand-written SQL through the DB-API,
a bare bulk insert or COPY, a plain group-by, a hello-world route) run alternately, so a
machine that slows down in the middle slows both alike; the medians and their ratio are
printed with the aim. When ``BENCH_RESULTS`` names a file, each result is also appended to it
as one JSON line, so ``make bench`` can gather every case into one table.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping


def interleave(cases: Mapping[str, Callable[[], object]], runs: int = 5,
               warm: int = 1) -> dict[str, list[float]]:
    """Run every case ``warm`` times untimed, then ``runs`` rounds of each in turn.

    Returns the seconds of each run by case name. The order within a round rotates, so
    no case always runs first after the others warmed a cache.
    """
    names = list(cases)
    for _ in range(warm):
        for name in names:
            cases[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - start)
    return times


def machine(database_url: str | None = None) -> dict:
    """Return what a figure depends on: cores, load average, Python, the database kind."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {"cores": os.cpu_count(), "load": [round(x, 2) for x in load],
            "python": platform.python_version(),
            "database": (database_url or "sqlite").split(":")[0].split("+")[0]}


def report(bench: str, case: str, ours: list[float] | float, floor: list[float] | float | None,
           *, aim: str = "", n: int | None = None, database_url: str | None = None,
           unit: str = "ms", extra: Mapping | None = None) -> dict:
    """Print one case's median beside its floor's and the ratio; return (and log) it.

    ``extra`` holds figures a case has besides its median (a p95, requests per second):
    printed after the ratio and kept in the JSON line.
    """
    scale = 1000.0 if unit == "ms" else 1.0
    mine = statistics.median(ours) if isinstance(ours, list) else ours
    base = (statistics.median(floor) if isinstance(floor, list) else floor)
    ratio = mine / base if base else None
    line = f"{bench:<14} {case:<38} {mine * scale:10.1f} {unit}"
    if base is not None:
        line += f"   floor {base * scale:10.1f} {unit}   ratio {ratio:6.2f}"
    if extra:
        line += "   " + ", ".join(f"{key} {value}" for key, value in extra.items())
    print(line + (f"   aim {aim}" if aim else ""), flush=True)
    result = {"bench": bench, "case": case, "seconds": mine, "floor_seconds": base,
              "ratio": ratio, "aim": aim, "n": n,
              "runs": len(ours) if isinstance(ours, list) else 1, "extra": dict(extra or {}),
              **machine(database_url)}
    target = os.environ.get("BENCH_RESULTS")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(result) + "\n")
    return result


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values``, nearest rank (a p95 of 20 runs is the 19th)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))  # ceil without math
    return ordered[int(rank) - 1]
