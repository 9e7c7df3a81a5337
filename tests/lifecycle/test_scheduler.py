"""The scheduler: every job registered once, coalesced, caught up after downtime, runs recorded."""
import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Account, EmailStatus
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.jobs.models import JobRun
from jgrad.jobs.runner import run_job
from jgrad.registry import registry
from jgrad.jobs.scheduler import MISFIRE_GRACE_SECONDS, build_scheduler, catch_up, overdue


def test_every_job_is_registered_with_coalescing_and_hours_of_grace(app):
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(registry().jobs)
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS >= 3600
    assert "minutes=1" in str(jobs["mail-delivery"].trigger) or "0:01:00" in str(
        jobs["mail-delivery"].trigger)
    assert "hour='3'" in str(jobs["dormancy-check"].trigger)


def test_a_day_missed_while_the_scheduler_was_down_runs_once_on_restart(app):
    two_days_ago = utcnow() - dt.timedelta(days=2)
    daily = set(registry().jobs) - {"stats-release"}
    for job in registry().jobs:
        db.session.add(JobRun(job=job, started_at=two_days_ago, finished_at=two_days_ago,
                              status="succeeded", counts={}))
    db.session.commit()
    assert set(overdue()) == daily  # the monthly release is not due after two days
    assert set(catch_up().ran) == daily
    assert catch_up().ran == []  # a second start does not run them again
    runs = db.session.scalars(sa.select(JobRun).where(JobRun.started_at > two_days_ago)).all()
    assert sorted(run.job for run in runs) == sorted(daily)


def test_the_monthly_release_runs_on_the_first_start_and_continues_the_series(
        app, make_registrant):
    from jgrad.statistics.models import StatRelease

    make_registrant()
    assert "stats-release" in overdue()  # never made: the first start makes one
    counts = run_job("stats-release")
    first = db.session.scalar(sa.select(StatRelease))
    assert counts["release"] == first.id and counts["tables"] > 8
    assert "stats-release" not in overdue()
    assert "stats-release" in overdue(utcnow() + dt.timedelta(days=32))
    second = run_job("stats-release")
    assert db.session.get(StatRelease, second["release"]).previous_id == first.id


def test_every_run_is_recorded_with_counts(app):
    run_job("token-cleanup")
    run = db.session.scalar(sa.select(JobRun))
    assert run.status == "succeeded" and run.counts == {"removed": 0}
    assert run.started_at <= run.finished_at


def test_a_failing_job_is_recorded_as_failed(app, monkeypatch):
    def broken(now, dry_run=False, progress=None):
        raise RuntimeError("disk full")

    jobs = registry().jobs
    monkeypatch.setitem(jobs, "token-cleanup",
                        dataclasses.replace(jobs["token-cleanup"], function=broken))
    with pytest.raises(RuntimeError):
        run_job("token-cleanup")
    run = db.session.scalar(sa.select(JobRun))
    assert run.status == "failed" and "disk full" in run.error
    assert overdue() and "token-cleanup" in overdue()


def test_scheduler_catch_up_command(runner):
    result = runner.invoke(args=["scheduler", "--catch-up-only"])
    assert result.exit_code == 0, result.output
    assert "dormancy-check" in result.output
    again = runner.invoke(args=["scheduler", "--catch-up-only"])
    assert "nothing was missed" in again.output


def test_mail_bounces_marks_addresses_invalid(runner, make_registrant, tmp_path):
    make_registrant(email="bounced@example.org")
    make_registrant(email="fine@example.org")
    bounces = tmp_path / "bounces.csv"
    bounces.write_text("email,reason\nBounced@Example.org,550\nunknown@example.org,550\n")
    dry = runner.invoke(args=["mail", "bounces", str(bounces), "--dry-run"])
    assert "Would mark 1" in dry.output
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Account.email_status == EmailStatus.INVALID)) == 0
    result = runner.invoke(args=["mail", "bounces", str(bounces)])
    assert "2 address(es) read; Marked 1" in result.output
    statuses = dict(db.session.execute(sa.select(Account.email, Account.email_status)).all())
    assert statuses["bounced@example.org"] == EmailStatus.INVALID
    assert statuses["fine@example.org"] == EmailStatus.VALID
    bad = tmp_path / "bad.txt"
    bad.write_text("fine@example.org\nnot an address\n")
    refused = runner.invoke(args=["mail", "bounces", str(bad)])
    assert refused.exit_code != 0 and "line 2" in refused.output
    assert db.session.scalar(sa.select(Account.email_status).where(
        Account.email == "fine@example.org")) == EmailStatus.VALID


def test_dashboard_shows_states_coming_month_runs_and_troubled_mail(
        client, login, make_account, make_registrant):
    from jgrad.accounts.models import Role
    from jgrad.mail.models import DeliveryState, OutboxMessage

    soon = make_registrant(email="soon@example.org")
    soon.account.last_login_at = utcnow() - dt.timedelta(days=3 * 365 - 10)
    db.session.add(OutboxMessage(key="k1", kind="reset", to_address="x@example.org",
                                 subject="s", body_text="b", state=DeliveryState.FAILED,
                                 attempts=1, last_error="550 No such user"))
    db.session.commit()
    run_job("token-cleanup")
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    page = client.get("/admin/").get_data(as_text=True)
    assert "becoming dormant</td><td class=\"num\">1<" in page
    assert "Removing expired sign-up and reset links" in page and "550 No such user" in page
    assert "active</td><td class=\"num\">1<" in page


def test_reliability_without_smtp_outside_development_mail_fails_visibly_and_others_run(
        app, runner):
    from jgrad.mail.models import OutboxMessage

    db.session.add(OutboxMessage(key="k1", kind="notice", to_address="x@example.org",
                                 subject="s", body_text="b"))
    db.session.add(JobRun(job="stats-release", started_at=utcnow(), status="succeeded"))
    db.session.commit()
    app.config.update(TESTING=False)  # production: no SMTP host means no mail files either
    try:
        result = runner.invoke(args=["scheduler", "--catch-up-only"])
    finally:
        app.config.update(TESTING=True)
    assert result.exit_code == 0, result.output
    assert "dormancy-check" in result.output and "mail-delivery: failed" in result.output
    failed = db.session.scalar(sa.select(JobRun).where(JobRun.job == "mail-delivery"))
    assert failed.status == "failed" and "No SMTP server is configured" in failed.error
    assert db.session.scalar(sa.select(OutboxMessage.state)) == "pending"
