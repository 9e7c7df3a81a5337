"""The bulk-mail helper: one outbox row per recipient, rendered once per language, queued in
one statement, each key at most once (rules 5 and 9 mail through it, and so do imports)."""

import pytest

from jgrad.extensions import db
from jgrad.mail import services as mail
from jgrad.mail.models import SECRET_SLOT, DeliveryState
from tests.factories import outbox, statements

LINK = f"http://jgrad.test/signup/complete?token={SECRET_SLOT}"


def contact(key: str, locale: str = "en", **fields) -> mail.Recipient:
    return mail.Recipient(key=key, to=f"{key.replace(':', '-')}@example.org", locale=locale,
                          **fields)


def queue_contact(recipients, **context):
    context = {"subject": "News", "body": "Hello alumni", "sender": "Tohoku"} | context
    return mail.queue_many(recipients, kind="contact", template="contact", **context)




def test_each_recipient_gets_one_row_in_their_language(app):
    queue_contact([contact("c:1", "ja"), contact("c:2", "en"), contact("c:3", "ja")])
    db.session.commit()
    messages = {m.key: m for m in outbox(kind="contact")}
    assert set(messages) == {"c:1", "c:2", "c:3"}
    assert all(m.state == DeliveryState.PENDING and m.link_secret is None
               for m in messages.values())
    assert messages["c:1"].body_text == messages["c:3"].body_text
    assert "JGRAD" in messages["c:2"].body_text and "Sent by Tohoku" in messages["c:2"].body_text
    assert "Sent by" not in messages["c:1"].body_text  # the Japanese wording


def test_the_template_is_rendered_once_per_language_and_variant(app, monkeypatch):
    calls = []
    real_render = mail.render

    def counting_render(template, locale="en", **context):
        calls.append((locale, context.get("sender")))
        return real_render(template, locale, **context)

    monkeypatch.setattr(mail, "render", counting_render)
    people = [contact(f"c:{n}", "ja" if n % 2 else "en", fill={"body": f"Dear no. {n}"})
              for n in range(10)]
    queue_contact(people)
    assert sorted(calls) == [("en", "Tohoku"), ("ja", "Tohoku")]
    db.session.commit()
    bodies = {m.key: m.body_text for m in outbox(kind="contact")}
    assert len(bodies) == 10
    for n in range(10):
        assert bodies[f"c:{n}"].startswith(f"Dear no. {n}\n")
        assert "\x00" not in bodies[f"c:{n}"]


def test_a_known_key_is_skipped_never_an_error_nor_a_duplicate(app):
    queue_contact([contact("c:1"), contact("c:2")])
    db.session.commit()
    queue_contact([contact("c:2", fill={"body": "changed"}), contact("c:3"), contact("c:3")])
    db.session.commit()
    messages = outbox(kind="contact")
    assert [m.key for m in messages] == ["c:1", "c:2", "c:3"]
    assert "changed" not in messages[1].body_text  # the first c:2 stands


def test_a_known_key_skipped_keeps_what_the_transaction_wrote_before(app):
    queue_contact([contact("c:1"), contact("c:2")])  # not committed yet
    queue_contact([contact("c:2"), contact("c:3")])
    db.session.commit()
    assert [m.key for m in outbox(kind="contact")] == ["c:1", "c:2", "c:3"]


def test_a_row_breaking_another_rule_is_refused_not_skipped(app):
    with pytest.raises(Exception, match="(?i)foreign key"):
        queue_contact([contact("c:1", account_id=987654)])
    db.session.rollback()
    assert outbox() == []


def test_a_link_secret_is_held_apart_from_the_body(app):
    mail.queue_many([mail.Recipient(key="r:1", to="a@example.org", link_secret="s3cret-a"),
                     mail.Recipient(key="r:2", to="b@example.org", link_secret="s3cret-b")],
                    kind="reset", template="reset", link=LINK, hours=2)
    db.session.commit()
    first, second = outbox(kind="reset")
    assert SECRET_SLOT in first.body_text and "s3cret" not in first.body_text
    assert first.link_secret == "s3cret-a" and second.link_secret == "s3cret-b"
    assert "token=s3cret-a" in first.text() and "token=s3cret-b" in second.text()


@pytest.mark.parametrize("secret, link", [("s3cret", "http://jgrad.test/plain"), (None, LINK)])
def test_a_link_secret_without_its_slot_queues_nothing(app, secret, link):
    people = [mail.Recipient(key="r:1", to="a@example.org",
                             link_secret=None if secret else "fine"),
              mail.Recipient(key="r:2", to="b@example.org", link_secret=secret)]
    if secret:  # a plain link: the first (no secret) is right, the second is not
        people[0] = mail.Recipient(key="r:1", to="a@example.org")
    with pytest.raises(ValueError, match="r:2"):
        mail.queue_many(people, kind="reset", template="reset", link=link, hours=2)
    db.session.rollback()
    assert outbox() == []


def test_all_recipients_are_queued_in_one_bulk_write(app, monkeypatch):
    queue_contact([contact("c:0")])  # the first render and the dialect look-up, before counting
    writes = []
    real_write_rows = mail.write_rows

    def counting_write_rows(session, table, rows, **options):
        writes.append((table.name, len(rows), options))
        return real_write_rows(session, table, rows, **options)

    monkeypatch.setattr(mail, "write_rows", counting_write_rows)
    with statements() as seen:
        queued = queue_contact([contact(f"c:{n}", "ja" if n % 3 else "en")
                                for n in range(1, 51)])
    assert queued == 50
    assert writes == [("outbox_messages", 50, {"skip_taken": "key"})]
    assert not [s for s in seen if "outbox_messages" in s]  # nothing row by row beside it
    db.session.commit()
    assert len(outbox(kind="contact")) == 51
