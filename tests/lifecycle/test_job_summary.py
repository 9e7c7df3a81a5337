"""The dashboard shows every scheduled job once, in words, with its latest runs."""
from __future__ import annotations

import datetime as dt
import re

from jgrad.accounts.models import Role
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.jobs.models import JobRun
from jgrad.jobs.summary import summaries
from jgrad.registry import registry


def _run(job, started, status="succeeded", error=None, counts=None):
    db.session.add(JobRun(job=job, started_at=started, finished_at=started, status=status,
                          error=error, counts=counts))


def test_each_job_once_with_latest_success_failure_and_lateness(app):
    now = utcnow()
    for minute in range(600):  # the every-minute mail job's ten hours of runs
        _run("mail-delivery", now - dt.timedelta(minutes=minute), counts={"sent": 1})
    _run("dormancy-check", now - dt.timedelta(days=5))
    _run("dormancy-check", now - dt.timedelta(days=4), status="failed",
         error="OperationalError: database is locked")
    _run("dormancy-check", now - dt.timedelta(hours=3), status="interrupted")
    db.session.commit()
    jobs = registry().jobs
    by_id = {s.id: s for s in summaries(jobs, now)}
    assert list(by_id) == list(jobs)  # every registered job, once, in order
    mail = by_id["mail-delivery"]
    assert mail.runs_last_day == 600 and not mail.late
    assert mail.latest.started_at == max(r.started_at for r in db.session.query(JobRun).filter(
        JobRun.job == "mail-delivery"))
    dormancy = by_id["dormancy-check"]
    assert dormancy.latest.status == "interrupted" and dormancy.last_failure.status == "interrupted"
    assert abs(dormancy.last_success_at - (now - dt.timedelta(days=5))) < dt.timedelta(seconds=1)
    assert dormancy.late  # a daily job last done five days ago
    assert by_id["stats-release"].latest is None and by_id["stats-release"].late


def test_dashboard_lists_jobs_in_words_not_crowded_by_mail(client, login, make_account):
    now = utcnow()
    for minute in range(100):
        _run("mail-delivery", now - dt.timedelta(minutes=minute))
    _run("dormancy-check", now - dt.timedelta(hours=2), status="failed", error="Boom")
    db.session.commit()
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("admin@example.org")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Mail delivery" in page and "Dormancy check" in page and "Boom" in page
    assert "dormancy-check" not in page and "mail-delivery" not in page
    rows = re.findall(r'<th scope="row">', page)
    assert len(rows) == len(registry().jobs)
    client.submit("/lang", {"lang": "ja", "next": "/admin/"})
    page = client.get("/admin/").get_data(as_text=True)
    assert "メール配信" in page and "休眠確認" in page
