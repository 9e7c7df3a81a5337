"""Security baseline: link tokens are stored hashed, never in clear at rest, and single-use."""
import os
import re
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.mail.models import DeliveryState
from tests.factories import outbox

NEW_PASSWORD = "a brand new passphrase for hana"


@pytest.fixture
def smtp_config(app, smtp_server):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    return smtp_server


def delivered_links(smtp_server) -> list[str]:
    """Return the links in the mail the SMTP server received, oldest first."""
    links = []
    for received in smtp_server.messages:
        text = received.get_payload(decode=True).decode()
        links += re.findall(r"https?://\S+token=\S+", text)
    return links


def raw_token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def local(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def stored_values_holding(secret: str) -> list[str]:
    """Return "table.column" for every stored value in the database that contains ``secret``."""
    found, checked = [], 0
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            for column, value in row.items():
                checked += 1
                if secret in str(value):
                    found.append(f"{table.name}.{column}")
    assert checked > 0
    return found


def test_security_baseline_no_link_token_is_stored_in_clear_after_delivery(
        app, client, smtp_config, make_registrant):
    make_registrant(email="hana@example.org")
    client.submit("/reset", {"email": "hana@example.org"})
    client.submit("/signup", {"email": "newcomer@example.org"})
    report = mail.deliver_pending()
    assert report.sent == 2
    links = delivered_links(smtp_config)
    assert len(links) == 2
    assert all(m.state == DeliveryState.SENT for m in outbox())
    for link in links:
        assert stored_values_holding(raw_token(link)) == []
    # Scrubbing what is at rest did not break the links that went out.
    reset_link = next(link for link in links if "/reset/" in link)
    client.get(local(reset_link))
    response = client.submit("/reset/complete", {"password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_security_baseline_a_link_waiting_for_delivery_is_not_in_the_message_body(
        app, client, make_registrant):
    make_registrant(email="hana@example.org")
    client.submit("/reset", {"email": "hana@example.org"})
    [message] = outbox(to="hana@example.org", kind="reset")
    assert "token=" in message.text() and message.text() != message.body_text
    assert raw_token(re.search(r"\S+token=\S+", message.text()).group(0)) not in (
        message.body_text)


def test_security_baseline_an_older_reset_link_dies_when_a_newer_one_is_used(
        app, client, smtp_config, make_registrant):
    make_registrant(email="hana@example.org")
    client.submit("/reset", {"email": "hana@example.org"})
    client.submit("/reset", {"email": "hana@example.org"})
    assert mail.deliver_pending().sent == 2
    older, newer = delivered_links(smtp_config)
    client.get(local(newer))
    response = client.submit("/reset/complete", {"password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    stranger = app.test_client()
    stranger.get(local(older))
    assert stranger.get("/reset/complete").status_code == 400


def test_security_baseline_mail_files_are_private_and_only_in_development_or_tests(app):
    mail.queue(key="reset:files", kind="reset", to="hana@example.org", template="reset",
               link=mail.external_url("accounts.reset_complete", token=mail.SECRET_SLOT),
               link_secret="file-secret-123", hours=2)
    db.session.commit()
    app.config.update(TESTING=False, ENV="production")
    try:
        report = mail.deliver_pending()
    finally:
        app.config.update(TESTING=True)
    assert report.sent == 0 and "SMTP" in report.errors[0]
    assert not (Path(app.instance_path) / "mail").exists()
    [message] = outbox()
    assert message.state == DeliveryState.PENDING and message.attempts == 0
    # In development (and tests) without an SMTP server, mail goes to private files.
    assert mail.deliver_pending().sent == 1
    folder = Path(app.instance_path) / "mail"
    [eml] = folder.glob("*.eml")
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(eml).st_mode) == 0o600
    assert "token=file-secret-123" in eml.read_text()
    assert stored_values_holding("file-secret-123") == []
