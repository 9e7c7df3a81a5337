"""Rules 8 and 9: a deletion is all or nothing, files included; import previews expire.

The crash is a real one: a second process runs the deletion and is killed (SIGKILL) after
its statements and before its commit.
"""
import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from jgrad.actors import Actor
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.lifecycle import traces
from jgrad.lifecycle.deletion import leftovers
from jgrad.jobs.models import JobRun
from jgrad.lifecycle.person import people
from jgrad.jobs.runner import run_job
from jgrad.registrants import consent
from jgrad.registrants import services as records
from jgrad.registrants.models import Registrant

CHILD = """
import json, sys, time
from jgrad import create_app
from jgrad.extensions import db
from jgrad.lifecycle.deletion import delete_registrants

app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    assert delete_registrants([int(sys.argv[2])], "request") == 1
    db.session.flush()
    print("deleted, not yet committed", flush=True)
    time.sleep(120)
    db.session.commit()
"""


@pytest.fixture
def doomed(app, make_registrant):
    """A registrant due for deletion, with a mail file and an import preview holding their row."""
    registrant = make_registrant(email="doomed@example.org")
    consent.request_deletion(registrant, Actor.system(), channel="email",
                             verified_by="administrator", now=utcnow() - dt.timedelta(days=31))
    db.session.commit()
    instance = Path(app.instance_path)
    (instance / "mail").mkdir(exist_ok=True)
    (instance / "uploads").mkdir(exist_ok=True)
    eml = instance / "mail" / "20300101T000000-999999-reset.eml"
    eml.write_text(f"To: doomed@example.org\n\nYour Doctor ID is {registrant.doctor_id}.\n")
    preview = instance / "uploads" / "1-abc.csv"
    preview.write_text("student_number,email\nD1,doomed@example.org\n", encoding="utf-8")
    [person] = people([registrant.id])
    return person, [eml, preview]


def test_rule8_a_deletion_killed_before_its_commit_leaves_the_person_whole(app, doomed):
    person, files = doomed
    config = {key: app.config[key] for key in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "INSTANCE_PATH",
        "RATELIMIT_STORAGE_URI", "SERVER_NAME_FOR_MAIL")}
    db.session.commit()
    child = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(config),
                              str(person.registrant_id)], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).parents[2])
    try:
        assert child.stdout.readline().strip() == "deleted, not yet committed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    db.session.expire_all()
    assert db.session.get(Registrant, person.registrant_id) is not None
    assert all(path.exists() for path in files)
    # The next run of the job deletes them, files and all.
    assert run_job("deletion-deadlines") == {"deleted": 1}
    assert not any(path.exists() for path in files)
    assert leftovers(person) == dict.fromkeys(leftovers(person), 0)


def test_rule8_a_deletion_failing_half_way_is_retried_by_the_next_run(doomed, monkeypatch):
    person, files = doomed

    def broken(found):
        raise RuntimeError("database went away")

    monkeypatch.setattr(traces, "unlink_audit_events", broken)
    with pytest.raises(RuntimeError):
        run_job("deletion-deadlines")
    db.session.expire_all()
    assert db.session.get(Registrant, person.registrant_id) is not None
    assert all(path.exists() for path in files)
    assert db.session.scalar(sa.select(JobRun.status)) == "failed"
    monkeypatch.undo()
    assert run_job("deletion-deadlines") == {"deleted": 1}
    assert not any(path.exists() for path in files)


def test_rule8_unconfirmed_import_previews_expire_after_a_day(app):
    folder = Path(app.instance_path) / "uploads"
    folder.mkdir(exist_ok=True)
    now = utcnow()
    old, fresh = folder / "7-old.csv", folder / "7-fresh.xlsx"
    for path, age in ((old, dt.timedelta(hours=25)), (fresh, dt.timedelta(hours=23))):
        path.write_bytes(b"student_number\r\nD1\r\n")
        stamp = (now - age).timestamp()
        os.utime(path, (stamp, stamp))
    assert run_job("preview-expiry", now, dry_run=True) == {"expired": 1}
    assert old.exists()
    assert run_job("preview-expiry", now) == {"expired": 1}
    assert not old.exists() and fresh.exists()
    assert run_job("preview-expiry", now + dt.timedelta(hours=2)) == {"expired": 1}
    assert list(folder.iterdir()) == []
