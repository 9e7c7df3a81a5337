"""Pages under load: gunicorn (2 workers, gunicorn.conf.py) driven by wrk from loopback.

Builds a scratch database with N demo registrants (the staff member's university holds about
a tenth of them) and one statistical release, then serves the production application
(``wsgi.py`` through ``bench/load_app.py``, which adds a hello-world route for the bench
only) with production settings: Secure session cookies, the audit log, the access log, and
the rate limiter on Redis when ``--redis`` (or ``BENCH_REDIS``) names one (without it, on
the in-memory store, which two workers are refused in production: the limits are turned off
and the figure says so). The limits are raised for the bench's own few log-ins only.

Each case is driven by wrk for ``--seconds`` with the session cookie of a signed-in account,
round after round in turn with hello-world (the floor), and reported through ``measure`` as
seconds per request at full load: the ratio is hello-world's throughput over the case's.
Aims: the staff alumni list at least 15 % of hello-world, a registrant's /me at least 20 %.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import sqlalchemy as sa

from measure import report
from scratch import scratch_app

ROOT = Path(__file__).resolve().parent.parent
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("JGRAD p95_us %d errors %d\\n", latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout))
end
"""


def build(registrants: int) -> tuple[int, str]:
    """Demo registrants, role accounts and one stored release; return the release and a
    table of it."""
    from jgrad.db import utcnow
    from jgrad.demo.generate import create_registrants, ensure_role_accounts, \
        ensure_universities
    from jgrad.extensions import db
    from jgrad.statistics import services

    ensure_role_accounts(ensure_universities())
    db.session.commit()
    create_registrants(registrants)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    release, previous = services.build(utcnow())
    row = services.store(release, previous)
    db.session.commit()
    table = next(t["id"] for t in row.meta["tables"] if t.get("breakdown_of") is None)
    return row.id, table


def built() -> tuple[int, str] | None:
    """A kept database's newest release and a table of it, if its files are still there."""
    from jgrad.extensions import db
    from jgrad.statistics import publish, services
    from jgrad.statistics.models import StatRelease

    row = db.session.scalar(sa.select(StatRelease).order_by(StatRelease.id.desc()))
    if row is None:
        return None
    try:
        publish.read_release(services.folder_of(row))
    except OSError:
        return None
    return row.id, next(t["id"] for t in row.meta["tables"] if t.get("breakdown_of") is None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cookie(response, name: str = "jgrad_session") -> str | None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0]
    return None


def sign_in(port: int, identifier: str, password: str) -> str:
    """Sign in through the server as a browser would; return the session cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = _cookie(response)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "identifier": identifier,
                                   "password": password})
    connection.request("POST", "/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    signed_in = _cookie(response)
    if response.status != 302 or not signed_in:
        raise SystemExit(f"signing in as {identifier} failed: {response.status}")
    return signed_in


def status_of(port: int, path: str, cookie: str | None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    response.read()
    return response.status


def wrk(port: int, path: str, cookie: str | None, seconds: int, connections: int,
        script: Path) -> tuple[float, float]:
    """Drive one path; return requests per second and the p95 latency in seconds."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
               "--latency", "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p95 = int(re.search(r"JGRAD p95_us (\d+)", out).group(1)) / 1e6
    errors = int(re.search(r"errors (\d+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors or bad:
        raise SystemExit(f"{path}: {errors} socket errors, "
                         f"{bad.group(1) if bad else 0} responses not 2xx/3xx\n{out}")
    return rate, p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=20_000)
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS") or None,
                        help="the rate limiter's store, e.g. redis://127.0.0.1:6379/6")
    parser.add_argument("--keep", action="store_true",
                        help="keep the rows of --database-url and its release's files (in "
                             "the temporary folder), built on the first run: to time one "
                             "database many times")
    parser.add_argument("--seconds", type=int, default=5, help="per case and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    from jgrad.demo.generate import DEMO_LOGINS, REGISTRANT_PASSWORD

    kept = args.keep and args.database_url
    instance = None
    if kept:
        instance = Path(tempfile.gettempdir()) / ("jgrad-bench-" + hashlib.sha256(
            args.database_url.encode()).hexdigest()[:16])
        instance.mkdir(exist_ok=True)
    with scratch_app(args.database_url, keep=bool(kept), instance=instance,
                     RATELIMIT_ENABLED=False) as (app, url, folder):
        started = time.perf_counter()
        release_id, table_id = (kept and built()) or build(args.registrants)
        from jgrad.accounts.models import Account
        from jgrad.extensions import db
        registrant = db.session.scalar(sa.select(Account.email).where(
            Account.role == "registrant", Account.state == "active").order_by(Account.id))
        print(f"database: {url.split(':')[0]}; {args.registrants:,} registrants and release "
              f"#{release_id} built in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()
        port = free_port()
        env = {**os.environ, "JGRAD_DATABASE_URL": url, "JGRAD_INSTANCE_PATH": str(folder),
               "JGRAD_SECRET_KEY": "bench " * 8, "JGRAD_ENV": "production",
               "JGRAD_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
               "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
               # The bench signs in a few times: no limit may refuse it.
               "JGRAD_LOGIN_RATE_LIMIT": "10000 per minute",
               "JGRAD_LOGIN_ACCOUNT_FAILURE_LIMIT": "10000 per minute"}
        if args.redis:
            env["JGRAD_RATELIMIT_STORAGE_URI"] = args.redis
        else:
            env["JGRAD_RATELIMIT_ENABLED"] = "false"
        log = open(folder / "gunicorn.log", "w")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             "load_app:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            for _ in range(100):
                try:
                    if status_of(port, "/bench/hello", None) == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            else:
                raise SystemExit("gunicorn did not start: see its log\n"
                                 + (folder / "gunicorn.log").read_text()[-2000:])
            staff = sign_in(port, *DEMO_LOGINS["staff"])
            analyst = sign_in(port, *DEMO_LOGINS["analyst"])
            me = sign_in(port, registrant, REGISTRANT_PASSWORD)
            cases = {
                "hello-world": ("/bench/hello", None, ""),
                "log-in page": ("/login", None, ""),
                "/me (a signed-in registrant)": ("/me", me, ">= 20 % of hello-world"),
                "staff alumni list": ("/records/", staff, ">= 15 % of hello-world"),
                "statistics table page": (f"/stats/{release_id}/tables/{table_id}", analyst,
                                          ""),
            }
            for label, (path, cookie, _) in cases.items():
                status = status_of(port, path, cookie)
                if status != 200:
                    raise SystemExit(f"{label}: {path} answers {status}, not 200")
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
                lua.write(LUA)
            script = Path(lua.name)
            for path, cookie, _ in cases.values():  # warm every worker's caches
                wrk(port, path, cookie, 1, args.connections, script)
            figures = {label: ([], []) for label in cases}
            for round_ in range(args.rounds):
                for label, (path, cookie, _) in cases.items():
                    rate, p95 = wrk(port, path, cookie, args.seconds, args.connections, script)
                    figures[label][0].append(rate)
                    figures[label][1].append(p95)
            script.unlink()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
            log.close()
        hello = figures["hello-world"][0]
        database = url if args.database_url else None
        for label, (rates, p95s) in figures.items():
            rate = statistics.median(rates)
            report("load", label, [1 / r for r in rates], [1 / r for r in hello],
                   n=args.registrants, database_url=database, aim=cases[label][2],
                   extra={"req/s": round(rate), "p95 ms": round(statistics.median(p95s) * 1000,
                                                                  1),
                          "% of hello": round(100 * rate / statistics.median(hello), 1),
                          "limiter": "redis" if args.redis else "off"})


if __name__ == "__main__":
    main()
