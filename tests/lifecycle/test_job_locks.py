"""Reliability: a job lock dies with its holder; a live holder keeps it."""
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.jobs import locks
from jgrad.jobs.locks import job_lock, owner_is_gone, process_identity
from jgrad.jobs.models import JobLock, JobRun
from jgrad.jobs.runner import run_job
from tests.mail.processes import killed_process_identity


@pytest.fixture
def dead_process_identity() -> str:
    return killed_process_identity()


@pytest.fixture
def lease_db(app):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL holds advisory locks, not lease rows")


def held_by(owner: str, expires_in: dt.timedelta, name: str = "token-cleanup") -> None:
    db.session.add(JobLock(name=name, holder="someone-else", owner=owner, taken_at=utcnow(),
                           expires_at=utcnow() + expires_in))
    db.session.commit()


def test_reliability_a_process_knows_which_owners_are_gone(dead_process_identity):
    assert not owner_is_gone(process_identity())
    assert owner_is_gone(dead_process_identity)
    host, pid, started = process_identity().rsplit(":", 2)
    assert owner_is_gone(f"{host}:{pid}:{int(started) + 1}")  # the pid now runs another process
    assert not owner_is_gone(f"another-host.example:{pid}:{started}")  # unknown: wait for lapse
    assert not owner_is_gone(None) and not owner_is_gone("garbage")


def test_reliability_a_lease_left_by_a_killed_process_is_taken_over_at_once(
        lease_db, dead_process_identity):
    held_by(dead_process_identity, dt.timedelta(hours=6))
    with job_lock("token-cleanup") as held:
        assert held
        assert db.session.scalar(sa.select(JobLock.owner)) == process_identity()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobLock)) == 0


def test_reliability_a_live_holder_keeps_its_lease(lease_db):
    held_by(process_identity(), dt.timedelta(minutes=5))
    with job_lock("token-cleanup") as held:
        assert not held
    assert run_job("token-cleanup") is None
    assert db.session.scalar(sa.select(JobLock.holder)) == "someone-else"


def test_reliability_a_lease_of_another_host_is_taken_over_only_once_it_lapsed(lease_db):
    held_by("another-host.example:4242:99", dt.timedelta(minutes=5))
    with job_lock("token-cleanup") as held:
        assert not held
    db.session.execute(sa.update(JobLock).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()
    with job_lock("token-cleanup") as held:
        assert held


def test_reliability_the_heartbeat_renews_the_lease_and_notices_a_takeover(lease_db):
    start = utcnow()
    assert locks.take_lease("token-cleanup", "mine", dt.timedelta(minutes=5), now=start)
    assert locks.renew_lease("token-cleanup", "mine", dt.timedelta(minutes=5),
                             now=start + dt.timedelta(minutes=4))
    assert db.session.scalar(sa.select(JobLock.expires_at)) == start + dt.timedelta(minutes=9)
    # Not renewed in time, it lapses and another process takes it; the old holder notices.
    later = start + dt.timedelta(minutes=10)
    assert locks.take_lease("token-cleanup", "theirs", dt.timedelta(minutes=5), now=later)
    assert not locks.renew_lease("token-cleanup", "mine", dt.timedelta(minutes=5), now=later)
    locks.release_lease("token-cleanup", "mine")  # releases nothing of theirs
    assert db.session.scalar(sa.select(JobLock.holder)) == "theirs"


def test_reliability_a_run_left_running_by_a_killed_runner_is_marked_interrupted(app):
    killed = utcnow() - dt.timedelta(minutes=3)
    db.session.add(JobRun(job="token-cleanup", started_at=killed, status="running"))
    db.session.commit()
    assert run_job("token-cleanup") == {"removed": 0}
    runs = dict(db.session.execute(sa.select(JobRun.started_at, JobRun.status)).all())
    assert runs.pop(killed) == "interrupted" and list(runs.values()) == ["succeeded"]


def test_reliability_catch_up_names_jobs_another_runner_holds(lease_db, runner):
    held_by(process_identity(), dt.timedelta(minutes=5), name="mail-delivery")
    db.session.add(JobRun(job="stats-release", started_at=utcnow(), status="succeeded"))
    db.session.commit()
    result = runner.invoke(args=["scheduler", "--catch-up-only"])
    assert result.exit_code == 0, result.output
    assert f"mail-delivery: running elsewhere ({process_identity()})." in result.output


def test_reliability_one_runner_per_job_while_the_lock_is_held(app):
    with job_lock("token-cleanup") as held:
        assert held
        with job_lock("token-cleanup") as again:  # another connection, as another process
            assert not again
        with job_lock("dormancy-check") as other_job:
            assert other_job
    with job_lock("token-cleanup") as held_after_release:
        assert held_after_release


def test_reliability_the_heartbeat_thread_keeps_renewing_until_the_lease_is_lost(
        lease_db, app, monkeypatch):
    lease = dt.timedelta(seconds=0.05)  # a beat every 10 ms
    assert locks.take_lease("token-cleanup", "mine", lease, now=utcnow() - dt.timedelta(hours=1))
    renewals = []
    real_renew = locks.renew_lease

    def renew(name, holder, lease):
        renewals.append(real_renew(name, holder, lease))
        if len(renewals) == 2:  # then another process takes the lease over
            db.session.execute(sa.update(JobLock).values(holder="theirs"))
            db.session.commit()
        return renewals[-1]

    monkeypatch.setattr(locks, "renew_lease", renew)
    heartbeat = locks._Heartbeat(app, "token-cleanup", "mine", lease)
    heartbeat.start()
    heartbeat.join(timeout=60)
    assert not heartbeat.is_alive()
    assert renewals == [True, True, False]  # it stopped at the first renewal that failed
    assert db.session.scalar(sa.select(JobLock.expires_at)) > utcnow() - dt.timedelta(minutes=1)
