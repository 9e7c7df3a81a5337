"""One runner per job at a time: a PostgreSQL advisory lock, or a lock row on SQLite."""
from __future__ import annotations

import datetime as dt
import uuid
import zlib
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.lifecycle.models import JobLock


@contextmanager
def job_lock(name: str, ttl: dt.timedelta = dt.timedelta(hours=6)):
    """Yield True when this process holds the lock for ``name``, False when another does."""
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock(name) as held:
            yield held
    else:
        with _row_lock(name, ttl) as held:
            yield held


@contextmanager
def _advisory_lock(name: str):
    key = zlib.crc32(f"jgrad:{name}".encode())
    # A connection of its own keeps the lock across the job's many transactions.
    with db.engine.connect() as connection:
        held = connection.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar()
        connection.commit()
        try:
            yield bool(held)
        finally:
            if held:
                connection.execute(sa.select(sa.func.pg_advisory_unlock(key)))
                connection.commit()


@contextmanager
def _row_lock(name: str, ttl: dt.timedelta):
    holder = uuid.uuid4().hex
    now = utcnow()
    table = JobLock.__table__
    held = False
    with db.engine.begin() as connection:
        # Take over a lock whose holder died and let it expire.
        taken = connection.execute(
            table.update()
            .where(table.c.name == name, table.c.expires_at < now)
            .values(holder=holder, expires_at=now + ttl)
        ).rowcount
        held = taken == 1
    if not held:
        try:
            with db.engine.begin() as connection:
                connection.execute(table.insert().values(name=name, holder=holder,
                                                         expires_at=now + ttl))
            held = True
        except IntegrityError:
            held = False
    try:
        yield held
    finally:
        if held:
            with db.engine.begin() as connection:
                connection.execute(
                    table.delete().where(table.c.name == name, table.c.holder == holder))
