"""Imports beside other writers, in real processes: all or nothing, and writers wait.

The importing process stops after its first batch (inside its one transaction) and waits on
its stdin; the test then kills it with SIGKILL, or lets a second process write meanwhile.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from jgrad.accounts.models import Account
from jgrad.extensions import db
from jgrad.mail.models import OutboxMessage
from jgrad.registrants.models import Registrant
from tests.imports.test_import import ROW, csv_bytes, home, rows  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
IMPORTER = """
import sys
from jgrad import create_app
from jgrad.actors import Actor, Source
from jgrad.extensions import db
from jgrad.imports import importer
from jgrad.imports.importfile import parse
from jgrad.universities.models import University
from tests.conftest import make_config

url, instance, path = sys.argv[1:4]
app = create_app(make_config(url, instance))
with app.app_context():
    university = db.session.scalar(db.select(University).where(University.code == "HOME"))
    plan = importer.plan(university.id, parse(open(path, "rb").read(), "s.csv").rows)

    def progress(done, total):
        if done < total:
            print("batch written", flush=True)
            sys.stdin.readline()  # hold the transaction open until told to go on

    importer.apply(university, plan, Actor(Source.UNIVERSITY, None, university.id),
                   progress=progress, batch=50)
    db.session.commit()
    print("committed", flush=True)
"""
WRITER = """
import sys
from jgrad import create_app
from jgrad.actors import Actor
from jgrad.extensions import db
from jgrad.registrants import services
from jgrad.registrants.models import Registrant
from tests.conftest import make_config

url, instance, registrant_id = sys.argv[1:4]
app = create_app(make_config(url, instance))
with app.app_context():
    person = db.session.get(Registrant, int(registrant_id))
    print("writing", flush=True)
    services.update_profile(person, {"given_name": "書込"}, Actor.for_account(person.account))
    db.session.commit()
    print("written", flush=True)
"""


def start(script: str, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (db.session.scalar(sa.select(sa.func.count(Registrant.id))),
            db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))))


def test_a_killed_import_leaves_nothing_half_written(app, home, tmp_path, make_registrant):
    make_registrant(email="hana@example.org", university=home)
    before = counts()
    path = tmp_path / "s.csv"
    path.write_bytes(csv_bytes(*rows(200)))
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()
    child = start(IMPORTER, url, tmp_path / "child", path)
    assert child.stdout.readline().strip() == "batch written", child.stderr.read()[-2000:]
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert counts() == before
    assert db.session.scalar(sa.select(sa.func.count(Account.id)).where(
        Account.email.like("s%@example.org"))) == 0


def test_a_writer_during_an_import_waits_and_succeeds(app, home, tmp_path, make_registrant):
    person = make_registrant(email="hana@example.org", university=home)
    path = tmp_path / "s.csv"
    path.write_bytes(csv_bytes(*rows(200)))
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()
    importing = start(IMPORTER, url, tmp_path / "importer", path)
    assert importing.stdout.readline().strip() == "batch written", \
        importing.stderr.read()[-2000:]
    writer = start(WRITER, url, tmp_path / "writer", person.id)
    assert writer.stdout.readline().strip() == "writing", writer.stderr.read()[-2000:]
    # A long import: on SQLite the writer now waits on the import's write lock for longer
    # than the old 5-second busy timeout, then the import goes on and commits.
    time.sleep(6)
    checked = 0
    for line in ("\n",) * 3:  # one go-on per remaining batch
        try:
            importing.stdin.write(line)
            importing.stdin.flush()
            checked += 1
        except BrokenPipeError:
            break
    assert checked > 0
    out, err = importing.communicate(timeout=120)
    assert "committed" in out, err[-2000:]
    written, err = writer.communicate(timeout=120)
    assert writer.returncode == 0 and "written" in written, err[-2000:]
    db.session.expire_all()
    assert db.session.get(Registrant, person.id).given_name == "書込"
    assert counts()[0] == 201  # both sides' writes are there
