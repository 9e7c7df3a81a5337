"""Security baseline: upgrading takes the link secrets already stored in mail bodies out."""
import datetime as dt

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from jgrad import create_app
from jgrad.extensions import db
from tests.conftest import make_config

OLD_BODY = "Choose a password: http://jgrad.test/reset/complete?token={}\nThanks.\n"


def test_security_baseline_upgrade_moves_stored_link_secrets_out_of_bodies(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path / "i"))
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        before = script.get_revision("0006_delivery").down_revision
        upgrade(revision=before)
        now = dt.datetime(2026, 1, 1, 12, 0)
        rows = [("reset:1", "reset", "pending", "waiting-secret"),
                ("signup:2", "signup", "sent", "delivered-secret"),
                ("notice:3", "corrected", "sent", None)]
        with db.engine.begin() as connection:
            for key, kind, state, secret in rows:
                body = OLD_BODY.format(secret) if secret else "No link here.\n"
                connection.execute(sa.text(
                    "INSERT INTO outbox_messages (key, kind, to_address, subject, body_text, "
                    "state, attempts, next_attempt_at, created_at) VALUES (:key, :kind, "
                    "'a@example.org', 's', :body, :state, 0, :now, :now)"),
                    dict(key=key, kind=kind, body=body, state=state, now=now))
        upgrade(revision="0006_delivery")
        with db.engine.connect() as connection:
            stored = {key: (body, secret) for key, body, secret in connection.execute(sa.text(
                "SELECT key, body_text, link_secret FROM outbox_messages"))}
        assert stored["reset:1"] == (OLD_BODY.format("JGRAD-LINK-SECRET"), "waiting-secret")
        assert stored["signup:2"] == (OLD_BODY.format("JGRAD-LINK-SECRET"), None)
        assert stored["notice:3"] == ("No link here.\n", None)
        downgrade(revision=before)
        with db.engine.connect() as connection:
            bodies = dict(connection.execute(
                sa.text("SELECT key, body_text FROM outbox_messages")).all())
        assert bodies["reset:1"] == OLD_BODY.format("waiting-secret")
        db.engine.dispose()
