"""Security baseline: files under instance/ are private (0600/0700) and the console never
shows a link's token or a form value, with the real development server in its own process."""
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import sqlalchemy as sa

from jgrad import create_app
from jgrad.accounts.models import Role
from jgrad.extensions import db
from tests.conftest import CSRF_RE, make_config
from tests.factories import PASSWORD
from tests.imports.test_import import csv_bytes, rows

ROOT = Path(__file__).resolve().parent.parent


def assert_private(folder: Path) -> int:
    """Fail on anything under ``folder`` its group or others may read; count what was seen."""
    seen = 0
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
        seen += 1
    return seen


@pytest.mark.parametrize("app_config", [{"MAIL_DELIVER_IMMEDIATELY": True}])
def test_security_baseline_files_the_app_creates_are_private(app, client, login, tmp_path,
                                                             make_university, make_account,
                                                             app_config):
    os.umask(0o022)  # what a shell usually hands a process
    fresh = tmp_path / "fresh"
    fresh.mkdir(mode=0o755)
    other = create_app(make_config(f"sqlite:///{fresh / 'jgrad.sqlite3'}", fresh))
    with other.app_context():
        db.session.execute(sa.text("CREATE TABLE probe (id INTEGER)"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    # The same process goes on to write a mail file and an upload.
    home = make_university(code="HOME")
    editor = make_account(role=Role.STAFF, university=home, email="editor@home.example")
    editor.staff_role = "editor"
    db.session.commit()
    client.submit("/signup", {"email": "newcomer@example.org"})
    login("editor@home.example")
    preview = client.submit("/records/import", {"file": (io.BytesIO(csv_bytes(*rows(1))),
                                                         "students.csv")},
                            content_type="multipart/form-data")
    assert 'name="ticket"' in preview.get_data(as_text=True)
    instance = Path(app.instance_path)
    made = [fresh / "jgrad.sqlite3", fresh / "logs" / "access.log",
            *instance.glob("mail/*.eml"), *instance.glob("uploads/*.csv")]
    assert len(made) == 4, made
    assert assert_private(fresh) >= 3
    assert assert_private(instance) >= 6


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(args, env, **kwargs):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "jgrad", *args], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: os.umask(0o022), **kwargs)


def test_security_baseline_dev_server_console_shows_no_token_or_form_value(tmp_path):
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JGRAD_")}
    env.update(JGRAD_INSTANCE_PATH=str(instance), JGRAD_ENV="development")
    _run(["db", "upgrade"], env)
    _run(["accounts", "create", "--role", "admin", "--email", "admin@example.org",
          "--password-stdin"], env, input=PASSWORD + "\n")
    port = _free_port()
    stderr_path = tmp_path / "server.stderr"
    with open(stderr_path, "w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "jgrad", "run", "--port", str(port),
             "--no-reload", "--no-debugger"], cwd=ROOT, env=env, stdout=stderr, stderr=stderr,
            preexec_fn=lambda: os.umask(0o022))
    try:
        base = f"http://127.0.0.1:{port}"
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        deadline = time.monotonic() + 60
        while True:  # until the server listens
            try:
                page = browser.open(f"{base}/reset").read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
        form = {"csrf_token": CSRF_RE.search(page).group(1), "email": "admin@example.org"}
        browser.open(f"{base}/reset", urllib.parse.urlencode(form).encode()).read()
        mail = next((instance / "mail").glob("*reset.eml")).read_text()
        link = re.search(r"http://\S+", mail).group(0)
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["token"][0]
        browser.open(link).read()
        page = browser.open(f"{base}/login").read().decode()
        secret_value = "form value that must stay private"
        login = {"csrf_token": CSRF_RE.search(page).group(1), "identifier": "admin@example.org",
                 "password": secret_value}
        browser.open(f"{base}/login?next=/admin/&note=query-secret",
                     urllib.parse.urlencode(login).encode()).read()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    console = stderr_path.read_text()
    assert "/reset/complete" in console and "POST /login" in console  # lines were captured
    for secret in (token, secret_value, "query-secret", "admin@example.org"):
        assert secret not in console, secret
    assert not re.search(r' - - \[', console)  # no development-server request line at all
    assert assert_private(instance) >= 6  # database, secret key, log, mail: all private
