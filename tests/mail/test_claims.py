"""Reliability: a sender claims each message before sending it; abandoned claims come back."""
import datetime as dt

import pytest
import sqlalchemy as sa

from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.jobs.locks import process_identity
from jgrad.mail import delivery
from jgrad.mail.models import DeliveryState, OutboxMessage
from tests.factories import outbox
from tests.mail.processes import killed_process_identity, queue_plain_messages


@pytest.fixture
def smtp_config(app, smtp_server):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    return smtp_server


def claimed(address: str, by: str, at: dt.datetime) -> None:
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.to_address == address)
                       .values(state=DeliveryState.SENDING, claimed_by=by, claimed_at=at,
                               attempts=1))
    db.session.commit()


def test_reliability_a_claim_takes_exactly_the_oldest_due_message(app):
    first, second, third = queue_plain_messages(3)
    message = delivery.claim_next(utcnow())
    assert message.to_address == first and message.attempts == 1
    assert message.claimed_by.startswith(process_identity() + "/")
    db.session.expire_all()
    assert [m.state for m in outbox()] == [DeliveryState.SENDING, DeliveryState.PENDING,
                                           DeliveryState.PENDING]
    assert delivery.claim_next(utcnow()).to_address == second


def test_reliability_a_message_a_live_sender_holds_is_left_alone(smtp_config):
    held, free = queue_plain_messages(2)
    claimed(held, f"{process_identity()}/other-thread", utcnow())
    report = delivery.deliver_pending()
    assert (report.sent, report.reclaimed) == (1, 0)
    assert [m["To"] for m in smtp_config.messages] == [free]
    assert outbox(to=held)[0].state == DeliveryState.SENDING


def test_reliability_a_claim_of_a_killed_sender_comes_back_at_once(smtp_config):
    owner = killed_process_identity()
    [address] = queue_plain_messages(1)
    claimed(address, f"{owner}/abc", utcnow())
    report = delivery.deliver_pending()
    assert (report.sent, report.reclaimed) == (1, 1)
    [message] = outbox()
    assert message.state == DeliveryState.SENT and message.attempts == 2
    assert message.claimed_by is None and message.claimed_at is None


def test_reliability_a_claim_of_another_host_comes_back_only_after_the_claim_time(
        app, smtp_config):
    [address] = queue_plain_messages(1)
    limit = app.config["MAIL_CLAIM_SECONDS"]
    claimed(address, "another-host.example:77:1/abc",
            utcnow() - dt.timedelta(seconds=limit - 60))
    assert delivery.deliver_pending().sent == 0
    db.session.execute(sa.update(OutboxMessage).values(
        claimed_at=utcnow() - dt.timedelta(seconds=limit + 1)))
    db.session.commit()
    report = delivery.deliver_pending()
    assert (report.sent, report.reclaimed) == (1, 1)
    assert len(smtp_config.messages) == 1


def test_reliability_a_sender_whose_claim_was_taken_does_not_overwrite_the_new_state(
        smtp_config, monkeypatch):
    [address] = queue_plain_messages(1)
    real_send = delivery._send_smtp

    def send_then_lose_the_claim(message, config):
        real_send(message, config)
        # Meanwhile the claim was judged abandoned and another sender claimed the message.
        db.session.execute(sa.update(OutboxMessage).values(claimed_by="elsewhere:1:1/x"))
        db.session.commit()

    monkeypatch.setattr(delivery, "_send_smtp", send_then_lose_the_claim)
    assert delivery.deliver_pending().sent == 1
    [message] = outbox()
    assert message.state == DeliveryState.SENDING and message.claimed_by == "elsewhere:1:1/x"


def test_security_baseline_a_link_secret_is_erased_when_delivery_fails_for_good(
        app, smtp_config):
    from jgrad.mail import services as mail

    smtp_config.reply = "550 No such user here"
    mail.queue(key="reset:gone", kind="reset", to="gone@example.org", template="reset",
               link=mail.external_url("accounts.reset_complete", token=mail.SECRET_SLOT),
               link_secret="never-delivered-secret", hours=2)
    db.session.commit()
    assert delivery.deliver_pending().failed == 1
    [message] = outbox()
    assert message.state == DeliveryState.FAILED and message.link_secret is None
    assert "never-delivered-secret" not in message.text()


def test_reliability_mail_send_gives_back_a_killed_senders_claim_and_refuses_without_smtp(
        app, smtp_config, runner):
    owner = killed_process_identity()
    [address] = queue_plain_messages(1)
    claimed(address, f"{owner}/abc", utcnow())
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "1 message(s) due." in result.output and "Sent 1," in result.output
    assert "1 message(s) left by a stopped sender were sent again." in result.output
    app.config.update(SMTP_HOST="", TESTING=False)
    try:
        refused = runner.invoke(args=["mail", "send"])
    finally:
        app.config.update(TESTING=True)
    assert refused.exit_code != 0 and "No SMTP server is configured" in refused.output


def test_reliability_a_message_whose_sender_stops_at_every_attempt_is_given_up(
        app, smtp_config):
    [address] = queue_plain_messages(1)
    claimed(address, f"{killed_process_identity()}/abc", utcnow())
    db.session.execute(sa.update(OutboxMessage).values(
        attempts=app.config["MAIL_MAX_ATTEMPTS"], link_secret="secret-of-a-lost-cause"))
    db.session.commit()
    report = delivery.deliver_pending()
    assert (report.sent, report.reclaimed) == (0, 1) and smtp_config.messages == []
    [message] = outbox()
    assert message.state == DeliveryState.FAILED and message.link_secret is None
    assert "stopped" in message.last_error
