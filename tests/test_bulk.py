"""Bulk writes through the driver alone: the rows they leave are the rows ``sa.insert``
would, and a look-up by many values finds every one of them."""
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad import bulk
from jgrad.accounts.models import Account
from jgrad.extensions import db
from jgrad.mail.models import DeliveryState, OutboxMessage


def test_columns_and_shared_values_make_rows_with_their_defaults_and_ids(app):
    now = dt.datetime(2025, 4, 1, 9, 30, tzinfo=dt.timezone.utc)
    ids = bulk.write_columns_with_ids(
        db.session, OutboxMessage.__table__,
        {"key": ["k:1", "k:2"], "to_address": ["a@example.org", "b@example.org"]},
        dict(kind="news", subject="Hello", body_text="Hi", created_at=now))
    db.session.commit()
    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.id for m in messages] == ids
    assert [(m.key, m.to_address) for m in messages] == [("k:1", "a@example.org"),
                                                         ("k:2", "b@example.org")]
    assert all(m.kind == "news" and m.created_at == now for m in messages)
    # Python-side defaults, as sa.insert fills them: a constant and a callable.
    assert all(m.state == DeliveryState.PENDING and m.attempts == 0 for m in messages)
    assert all(m.next_attempt_at.tzinfo is not None for m in messages)


def test_columns_of_different_lengths_are_refused(app):
    with pytest.raises(ValueError, match="to_address"):
        bulk.write_columns(db.session, OutboxMessage.__table__,
                           {"key": ["k:1", "k:2"], "to_address": ["a@example.org"]},
                           dict(kind="news", subject="Hello", body_text="Hi"))


def test_among_finds_every_value_however_many(app, monkeypatch):
    monkeypatch.setattr(bulk, "IN_CHUNK", 2)
    logins = [f"person{n}@example.org" for n in range(5)]
    db.session.add_all(Account(login=login, email=login, role="analyst") for login in logins)
    db.session.commit()
    conditions = bulk.among(db.session, Account.login, logins + ["nobody@example.org"])
    assert len(conditions) == (1 if db.engine.dialect.name == "postgresql" else 3)
    found = [login for condition in conditions
             for login in db.session.scalars(sa.select(Account.login).where(condition))]
    assert sorted(found) == logins
    assert bulk.among(db.session, Account.login, []) == []
