"""What the importer's bulk writes leave: the same rows a plain insert would, and fresh
planner statistics after a large load."""
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import Account, AccountToken
from jgrad.audit.models import AuditEvent
from jgrad.extensions import db
from jgrad.imports import importer, people
from jgrad.mail.models import OutboxMessage
from jgrad.registrants.history import ConsentChange, RecordChange
from jgrad.registrants.models import Enrolment, Registrant
from tests.imports.test_import import csv_bytes, rows, run_import


@pytest.fixture
def home(make_university):
    return make_university(code="HOME")


def test_bulk_written_rows_hold_their_values_defaults_and_history(runner, tmp_path, home):
    before = dt.datetime.now(dt.timezone.utc)
    result = run_import(runner, tmp_path, csv_bytes(*rows(3)))
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    registrants = db.session.scalars(sa.select(Registrant).order_by(Registrant.id)).all()
    assert [r.given_name for r in registrants] == ["健太0", "健太1", "健太2"]
    stamps = {r.created_at for r in registrants} | {r.account.created_at for r in registrants}
    [stamp] = stamps  # one instant for the whole import, stored as aware UTC
    assert stamp.tzinfo is not None and before <= stamp <= dt.datetime.now(dt.timezone.utc)
    enrolment = db.session.scalar(sa.select(Enrolment).where(
        Enrolment.registrant_id == registrants[0].id))
    assert enrolment.version == 1 and enrolment.entry_date == dt.date(2021, 4, 1)
    assert registrants[0].share_with_university is True
    changes = db.session.scalars(sa.select(RecordChange).where(
        RecordChange.registrant_id == registrants[0].id).order_by(RecordChange.id)).all()
    assert [c.record_type for c in changes] == ["registrant", "enrolment"]
    assert changes[0].changes["given_name"] == [None, "健太0"]
    assert changes[1].changes["entry_date"] == [None, "2021-04-01"]
    assert all(c.at == stamp for c in changes)
    consents = db.session.scalars(sa.select(ConsentChange).where(
        ConsentChange.registrant_id == registrants[0].id)).all()
    assert sorted((c.setting, c.new_value) for c in consents) == [
        ("accept_contact", True), ("share_with_university", True)]
    token = db.session.scalar(sa.select(AccountToken).where(
        AccountToken.account_id == registrants[0].account_id))
    assert token.created_at == stamp and token.email == "s0@example.org"
    # The ids handed out are the rows' own: the next insert through the ORM follows them.
    account = Account(login="next@example.org", email="next@example.org", role="analyst")
    db.session.add(account)
    db.session.commit()
    assert account.id > max(r.account_id for r in registrants)


def test_a_large_import_refreshes_the_planner_statistics(runner, tmp_path, home, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the planner statistics are PostgreSQL's")
    monkeypatch.setattr(importer, "ANALYZE_AFTER", 2)
    query = sa.text("SELECT relname, analyze_count FROM pg_stat_user_tables "
                    "WHERE relname IN ('accounts', 'registrants', 'enrolments')")

    def analysed():
        db.session.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
        return dict(db.session.execute(query).all())

    start = analysed()
    assert run_import(runner, tmp_path, csv_bytes(*rows(2))).exit_code == 0
    db.session.commit()
    assert analysed() == start  # two new people: not a large load
    assert run_import(runner, tmp_path, csv_bytes(*rows(5))).exit_code == 0
    db.session.commit()
    after = analysed()
    assert all(after[table] == start[table] + 1 for table in start), (start, after)


def test_a_failure_at_the_last_write_leaves_nothing_written(runner, tmp_path, home,
                                                            monkeypatch):
    """The people, their history, consents and tokens go through the driver, beside the
    session: an error at the invitations (the last write) still takes all of them back."""
    def broken_queue(*args, **kwargs):
        raise RuntimeError("the outbox is gone")

    monkeypatch.setattr(people.mail, "queue_many", broken_queue)
    result = run_import(runner, tmp_path, csv_bytes(*rows(3)))
    assert isinstance(result.exception, RuntimeError)
    db.session.rollback()
    checked = 0
    for model in (Account, Registrant, Enrolment, RecordChange, ConsentChange, AccountToken,
                  OutboxMessage, AuditEvent):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model
        checked += 1
    assert checked == 8


def test_an_invitation_already_queued_under_a_new_persons_key_is_not_queued_twice(
        runner, tmp_path, home, monkeypatch):
    """A key in the outbox is never queued again; the rest of the import is written."""
    ids = iter(["JD000000018", "JD000000026", "JD000000034"])
    monkeypatch.setattr(people, "new_doctor_id", lambda: next(ids))
    db.session.add(OutboxMessage(key="invite:JD000000026", kind="invite",
                                 to_address="earlier@example.org", subject="s", body_text="b"))
    db.session.commit()
    assert run_import(runner, tmp_path, csv_bytes(*rows(3))).exit_code == 0
    db.session.expire_all()
    invites = {m.key: m.to_address for m in db.session.scalars(sa.select(OutboxMessage))}
    assert invites == {"invite:JD000000018": "s0@example.org",
                       "invite:JD000000026": "earlier@example.org",
                       "invite:JD000000034": "s2@example.org"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registrant)) == 3
