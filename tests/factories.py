"""Factory fixtures: each returns a callable that builds rows through the real services."""
from __future__ import annotations

import datetime as dt
import itertools
from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher

from jgrad.accounts.models import Account, AccountState, EmailStatus, Role
from jgrad.accounts.passwords import hash_password
from jgrad.actors import Actor
from jgrad.extensions import db
from jgrad.registrants import services as records
from jgrad.identifiers import new_doctor_id
from jgrad.universities.models import University

PASSWORD = "correct horse battery staple"
# Still argon2id, at the cheapest parameters argon2 allows.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_counter = itertools.count(1)

__all__ = ["make_university", "make_account", "make_registrant", "login", "PASSWORD", "outbox",
           "link_in"]


@pytest.fixture
def make_university(app):
    def make(code: str | None = None, cooperating: bool = True) -> University:
        n = next(_counter)
        university = University(
            code=code or f"U{n}", name_en=f"University {n}", name_ja=f"第{n}大学",
            cooperating=cooperating,
        )
        db.session.add(university)
        db.session.commit()
        return university

    return make


@pytest.fixture
def make_account(app):
    def make(role: Role = Role.ADMIN, email: str | None = None, university=None,
             password: str = PASSWORD) -> Account:
        email = email or f"{role.value}{next(_counter)}@example.org"
        account = Account(
            role=role, email=email, login=email, email_status=EmailStatus.VALID,
            password_hash=hash_password(password), state=AccountState.ACTIVE,
            university_id=university.id if university else None,
        )
        db.session.add(account)
        db.session.commit()
        return account

    return make


@pytest.fixture
def make_registrant(make_university):
    def make(email: str | None = None, university=None, password: str = PASSWORD, **profile):
        university = university or make_university()
        email = email or f"person{next(_counter)}@example.org"
        doctor_id = new_doctor_id()
        account = Account(
            role=Role.REGISTRANT, email=email, login=doctor_id, email_status=EmailStatus.VALID,
            password_hash=hash_password(password), state=AccountState.ACTIVE,
        )
        db.session.add(account)
        db.session.flush()
        actor = Actor.for_account(account)
        values = dict(family_name="山田", given_name="花子", birth_year=1990, sex="female",
                      nationality="JP")
        values.update(profile)
        registrant = records.create_registrant(account, doctor_id, values, actor)
        records.add_enrolment(registrant, dict(
            university_id=university.id, graduate_school="Graduate School of Science",
            major="Physics", field="05", programme_type="latter",
            entry_date=dt.date(2018, 4, 1), status="degree_awarded",
            status_date=dt.date(2021, 3, 31), degree_name="Doctor of Science",
        ), actor)
        db.session.commit()
        return registrant

    return make


@pytest.fixture
def login(client):
    def do(identifier: str, password: str = PASSWORD):
        response = client.submit("/login", {"identifier": identifier, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


def without_csrf(page: str) -> str:
    """Leave out the CSRF tokens of a page: they carry the second they were made."""
    import re

    return re.sub(r'(name="csrf_token"[^>]*?)value="[^"]*"', r"\1", page)


@contextmanager
def statements():
    """Collect the SQL statements SQLAlchemy runs inside the block (not those sent through
    the driver's own cursor)."""
    import sqlalchemy as sa

    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


def outbox(to: str | None = None, kind: str | None = None):
    """Return queued messages, newest last, optionally for one address or kind."""
    import sqlalchemy as sa

    from jgrad.mail.models import OutboxMessage

    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.to_address == to)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def link_in(message) -> str:
    """Return the path and query of the first http link in a message body."""
    import re
    from urllib.parse import urlsplit

    url = re.search(r"https?://\S+", message.text()).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
