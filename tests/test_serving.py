"""The production server: gunicorn serves the app and refuses an unsafe configuration."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from jgrad.serving import serving_problems

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"]


def test_production_refuses_an_in_memory_limiter_with_several_workers():
    production = {"ENV": "production", "RATELIMIT_ENABLED": True,
                  "RATELIMIT_STORAGE_URI": "memory://"}
    [problem] = serving_problems(production, workers=3)
    assert "JGRAD_RATELIMIT_STORAGE_URI" in problem and "3 workers" in problem
    assert serving_problems(production, workers=1) == []
    assert serving_problems({**production, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"},
                            workers=3) == []
    assert serving_problems({**production, "ENV": "development"}, workers=3) == []


def _environment(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JGRAD_")}
    env.update(JGRAD_INSTANCE_PATH=str(tmp_path / "instance"), JGRAD_ENV="production",
               JGRAD_SECRET_KEY="serving-test-key", JGRAD_RATELIMIT_STORAGE_URI="memory://",
               JGRAD_DATABASE_URL=f"sqlite:///{tmp_path / 'serving.sqlite3'}", **extra)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_will_not_start_several_workers_without_a_shared_limiter_store(tmp_path):
    result = subprocess.run(
        GUNICORN + ["--workers", "2", "--bind", f"127.0.0.1:{_free_port()}"], cwd=ROOT,
        env=_environment(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "JGRAD cannot start" in result.stderr and "RATELIMIT_STORAGE_URI" in result.stderr


def test_gunicorn_serves_the_site_with_its_security_headers(tmp_path):
    port = _free_port()
    server = subprocess.Popen(GUNICORN + ["--workers", "1", "--bind", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=_environment(tmp_path), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/privacy", timeout=5) as r:
                    status, headers, body = r.status, r.headers, r.read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(server.stdout.read().decode(errors="replace"))
                time.sleep(0.2)
        assert status == 200 and b"JGRAD" in body
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert headers["X-Request-ID"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode == 0, "gunicorn stops cleanly on SIGTERM"
