"""Mail goes through the outbox and is delivered to a real SMTP server on loopback."""
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from jgrad.accounts.models import EmailStatus
from jgrad.db import utcnow
from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.mail.models import DeliveryState, OutboxMessage
from tests.factories import outbox
from tests.smtp import free_port


def queue_test_message(key="test:1", to="hana@example.org", account_id=None):
    return mail.queue(key=key, kind="reset", to=to, template="reset", account_id=account_id,
                      link="http://jgrad.test/reset/complete?token=abc", hours=2)


@pytest.fixture
def smtp_config(app, smtp_server):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    return smtp_server


def test_mail_is_queued_in_the_same_transaction_as_the_change(app):
    queue_test_message()
    db.session.rollback()
    assert outbox() == []
    queue_test_message()
    db.session.commit()
    assert len(outbox()) == 1


def test_the_same_notice_is_never_queued_twice(app):
    assert queue_test_message(key="notice:7") is not None
    db.session.commit()
    assert queue_test_message(key="notice:7") is None
    db.session.commit()
    assert len(outbox()) == 1


def test_delivery_over_smtp(smtp_config):
    queue_test_message()
    db.session.commit()
    report = mail.deliver_pending()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [received] = smtp_config.messages
    assert received["To"] == "hana@example.org"
    assert received["Subject"] == "JGRAD: choose a new password"
    assert "http://jgrad.test/reset/complete?token=abc" in received.get_payload(decode=True).decode()
    message = outbox()[0]
    assert message.state == DeliveryState.SENT and message.attempts == 1 and message.sent_at
    # Delivered once: a second run sends nothing.
    assert mail.deliver_pending().sent == 0
    assert len(smtp_config.messages) == 1


def test_temporary_refusal_is_retried_with_back_off(smtp_config):
    smtp_config.reply = "421 Service not available, try later"
    queue_test_message()
    db.session.commit()
    report = mail.deliver_pending()
    assert report.retried == 1 and report.sent == 0
    message = outbox()[0]
    assert message.state == DeliveryState.PENDING and message.attempts == 1
    assert message.next_attempt_at > utcnow()
    assert "421" in message.last_error
    # Not due yet; once due and the server is back, it goes out.
    assert mail.deliver_pending().retried == 0
    smtp_config.reply = None
    later = utcnow() + dt.timedelta(hours=1)
    assert mail.deliver_pending(now=later).sent == 1
    assert len(smtp_config.messages) == 1


def test_permanent_refusal_fails_and_marks_the_address_invalid(smtp_config, make_registrant):
    registrant = make_registrant(email="gone@example.org")
    smtp_config.reply = "550 No such user here"
    queue_test_message(to="gone@example.org", account_id=registrant.account_id)
    db.session.commit()
    report = mail.deliver_pending()
    assert report.failed == 1
    message = outbox(to="gone@example.org")[0]
    assert message.state == DeliveryState.FAILED and "550" in message.last_error
    db.session.refresh(registrant.account)
    assert registrant.account.email_status == EmailStatus.INVALID


def test_server_not_listening_is_retried_and_nothing_is_lost(app):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    queue_test_message()
    db.session.commit()
    report = mail.deliver_pending()
    assert report.retried == 1
    assert outbox()[0].state == DeliveryState.PENDING


def test_gives_up_after_the_maximum_number_of_attempts(app):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2,
                      MAIL_MAX_ATTEMPTS=2)
    queue_test_message()
    db.session.commit()
    mail.deliver_pending()
    report = mail.deliver_pending(now=utcnow() + dt.timedelta(days=1))
    assert report.failed == 1
    assert outbox()[0].state == DeliveryState.FAILED


def test_without_smtp_host_mail_is_written_to_eml_files(app):
    queue_test_message()
    db.session.commit()
    assert mail.deliver_pending().sent == 1
    files = list((Path(app.instance_path) / "mail").glob("*.eml"))
    assert len(files) == 1
    assert "reset/complete?token=abc" in files[0].read_text()


def test_mail_send_command_delivers_and_summarises(smtp_config, runner):
    for n in range(3):
        queue_test_message(key=f"cli:{n}")
    db.session.commit()
    dry = runner.invoke(args=["mail", "send", "--dry-run"])
    assert "3 message(s) due." in dry.output and smtp_config.messages == []
    result = runner.invoke(args=["mail", "send", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "Sent 3, will retry 0, failed 0." in result.output
    assert len(smtp_config.messages) == 3
    assert db.session.scalar(sa.select(sa.func.count()).where(
        OutboxMessage.state == DeliveryState.SENT)) == 3


@pytest.mark.parametrize("app_config", [{"MAIL_DELIVER_IMMEDIATELY": True}])
def test_signup_mail_is_written_at_once_in_development(app, client, app_config):
    client.submit("/signup", {"email": "dev@example.org"})
    assert outbox(to="dev@example.org")[0].state == DeliveryState.SENT
    [eml] = (Path(app.instance_path) / "mail").glob("*.eml")
    assert "/signup/complete?token=" in eml.read_text()
