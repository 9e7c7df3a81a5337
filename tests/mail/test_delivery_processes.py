"""Reliability: real sender processes on one database never send one message twice, and a
sender killed with SIGKILL in the middle of its work blocks nobody."""
from collections import Counter

import pytest
import sqlalchemy as sa

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.jobs.models import JobRun
from jgrad.registry import registry
from jgrad.mail.models import DeliveryState, OutboxMessage
from tests.mail.processes import (  # noqa: F401  (fixtures)
    flask_process, gated_smtp, queue_plain_messages, wait_for)

SCHEDULER = ("scheduler", "--catch-up-only")
MAIL_SEND = ("mail", "send")


def only_mail_delivery_is_due() -> None:
    """Record a fresh successful run of every other job, so a catch-up runs only the mail."""
    for job in set(registry().jobs) - {"mail-delivery"}:
        db.session.add(JobRun(job=job, started_at=utcnow(), finished_at=utcnow(),
                              status="succeeded", counts={}))
    db.session.commit()


def states() -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(sa.select(OutboxMessage.state)))


@pytest.mark.parametrize("first", [SCHEDULER, MAIL_SEND], ids=["scheduler", "mail-send"])
def test_reliability_two_senders_at_once_send_every_message_exactly_once(
        gated_smtp, flask_process, first):
    only_mail_delivery_is_due()
    addresses = queue_plain_messages(30)
    smtp = gated_smtp(gate_at=2)
    # The first sender delivers one message and is then held inside the second one's SMTP
    # conversation; the second sender runs to its end meanwhile.
    holder = flask_process(smtp.port, *first)
    wait_for(smtp.gated, holder)
    flask_process(smtp.port, *MAIL_SEND).finish()
    smtp.release.set()
    holder.finish()
    received = smtp.received_per_address()
    assert received == Counter({address: 1 for address in addresses}), received
    assert states() == Counter({DeliveryState.SENT: 30})


def test_reliability_a_scheduler_killed_mid_job_is_taken_over_at_once_without_duplicates(
        gated_smtp, flask_process):
    only_mail_delivery_is_due()
    addresses = queue_plain_messages(12)
    smtp = gated_smtp(gate_at=5)
    first = flask_process(smtp.port, *SCHEDULER)
    wait_for(smtp.gated, first)  # four delivered, the fifth in the middle of its conversation
    first.kill()
    smtp.release.set()
    assert len(smtp.messages) == 4
    restart = flask_process(smtp.port, *SCHEDULER).finish()
    assert "Caught up: mail-delivery." in restart, restart
    received = smtp.received_per_address()
    assert received == Counter({address: 1 for address in addresses}), received
    assert states() == Counter({DeliveryState.SENT: 12})
    runs = Counter(db.session.scalars(sa.select(JobRun.status).where(
        JobRun.job == "mail-delivery")))
    assert runs == Counter({"interrupted": 1, "succeeded": 1})
