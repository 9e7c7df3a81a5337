"""One runner per job at a time, and locks that die with their holder.

PostgreSQL: a session-level advisory lock, taken and held on one connection of its own for
the whole job; the server drops it when that connection ends, so a killed holder frees it
at once. SQLite: a lease row naming its owner (host, pid and the process's start time),
renewed by a heartbeat thread; another process takes it over when the lease lapsed, or at
once when the owner is a process of this host that no longer runs.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
import zlib
from contextlib import contextmanager
from functools import cache

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.jobs.models import JobLock

log = logging.getLogger("jgrad.locks")
LEASE = dt.timedelta(minutes=5)


def _start_time(pid: int) -> str | None:
    """Return a process's start time (clock ticks since boot), or None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] == b"Z":  # a zombie: killed, not yet reaped
        return "zombie"
    return fields[19].decode()


@cache
def _this_process(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or 0}"


def process_identity() -> str:
    """Name this process so that another process on this host can tell whether it runs."""
    return _this_process(os.getpid())


def owner_is_gone(owner: str | None) -> bool:
    """True only when ``owner`` is a process of this host that has ended.

    A process of another host is never judged gone; its lease has to lapse. The start time
    tells a reused pid from the process that held it.
    """
    try:
        host, pid_text, started = (owner or "").rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, under another user
    now_started = _start_time(pid)
    if now_started == "zombie":
        return True
    return started != "0" and now_started is not None and now_started != started


@contextmanager
def job_lock(name: str, lease: dt.timedelta = LEASE):
    """Yield True when this process holds the lock for ``name``, False when another does."""
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock(name) as held:
            yield held
    else:
        with _lease(name, lease) as held:
            yield held


@contextmanager
def _advisory_lock(name: str):
    key = zlib.crc32(f"jgrad:{name}".encode())
    # One connection of its own holds the lock through the job's many transactions; it is
    # checked out of the pool until the job ends, so nothing else can use or close it.
    with db.engine.connect() as connection:
        held = connection.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar()
        connection.commit()
        try:
            yield bool(held)
        finally:
            if held:
                connection.execute(sa.select(sa.func.pg_advisory_unlock(key)))
                connection.commit()


def take_lease(name: str, holder: str, lease: dt.timedelta = LEASE,
               now: dt.datetime | None = None) -> bool:
    """Take the lease on ``name`` for ``holder``: free, lapsed, or left by a gone process."""
    now = now or utcnow()
    table = JobLock.__table__
    values = dict(holder=holder, owner=process_identity(), taken_at=now, expires_at=now + lease)
    with db.engine.begin() as connection:
        current = connection.execute(sa.select(table).where(table.c.name == name)).first()
        if current is not None:
            lapsed = current.expires_at <= now
            if not (lapsed or owner_is_gone(current.owner)):
                return False
            # Compare and swap: only one of two processes taking it over at once wins.
            taken = connection.execute(
                table.update().where(table.c.name == name, table.c.holder == current.holder)
                .values(**values)).rowcount == 1
            if taken:
                log.warning("lock %s taken over from %s (%s)", name, current.owner,
                            "lease lapsed" if lapsed else "process gone")
            return taken
    try:
        with db.engine.begin() as connection:
            connection.execute(table.insert().values(name=name, **values))
    except IntegrityError:
        return False
    return True


def renew_lease(name: str, holder: str, lease: dt.timedelta = LEASE,
                now: dt.datetime | None = None) -> bool:
    """Extend a held lease; False when it is no longer this holder's."""
    now = now or utcnow()
    table = JobLock.__table__
    with db.engine.begin() as connection:
        return connection.execute(
            table.update().where(table.c.name == name, table.c.holder == holder)
            .values(expires_at=now + lease)).rowcount == 1


def release_lease(name: str, holder: str) -> None:
    table = JobLock.__table__
    with db.engine.begin() as connection:
        connection.execute(table.delete().where(table.c.name == name, table.c.holder == holder))


class _Heartbeat(threading.Thread):
    """Renew a lease every fifth of its length until stopped."""

    def __init__(self, app, name: str, holder: str, lease: dt.timedelta):
        super().__init__(name=f"lease-{name}", daemon=True)
        self.app, self.lock_name, self.holder, self.lease = app, name, holder, lease
        self.stopped = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopped.wait(self.lease.total_seconds() / 5):
                try:
                    if not renew_lease(self.lock_name, self.holder, self.lease):
                        log.error("lock %s was taken over while this process held it",
                                  self.lock_name)
                        return
                except sa.exc.OperationalError:  # busy for long: try again next beat
                    log.warning("could not renew the lease on %s", self.lock_name,
                                exc_info=True)


@contextmanager
def _lease(name: str, lease: dt.timedelta):
    from flask import current_app

    holder = uuid.uuid4().hex
    if not take_lease(name, holder, lease):
        yield False
        return
    heartbeat = _Heartbeat(current_app._get_current_object(), name, holder, lease)
    heartbeat.start()
    try:
        yield True
    finally:
        heartbeat.stopped.set()
        heartbeat.join()
        release_lease(name, holder)


def lock_owner(name: str) -> str | None:
    """Return the owner of the SQLite lease on ``name`` (None on PostgreSQL or when free)."""
    if db.engine.dialect.name == "postgresql":
        return None
    return db.session.scalar(sa.select(JobLock.owner).where(JobLock.name == name))
