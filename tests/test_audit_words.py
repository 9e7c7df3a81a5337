"""Every audit action written anywhere has words on the administrators' audit page."""
from __future__ import annotations

import ast
import itertools
from pathlib import Path

import sqlalchemy as sa

from jgrad.accounts.models import AccountState, Role
from jgrad.audit.words import ACTIONS, CHANGES, RECORDS, action_words
from jgrad.extensions import db
from jgrad.registrants.services import CONSENT_SETTINGS

ROOT = Path(__file__).resolve().parents[1]
# What the f-strings in the code fill in (the test fails if one appears that is not here).
EXPANSIONS = {
    "f'account.{new_state}'": [f"account.{s}" for s in AccountState],
    "f'consent.{setting}'": [f"consent.{s}" for s in CONSENT_SETTINGS],
    "f'duplicate.{state}'": ["duplicate.merged", "duplicate.kept_apart"],
    "f'record.{record_type}.{action}'": [f"record.{r}.{a}" for r, a in
                                           itertools.product(RECORDS, CHANGES)],
    "f'survey.{new_state}'": ["survey.open", "survey.closed"],
    "'survey.mail_' + ('accepted' if accept else 'stopped')": ["survey.mail_accepted",
                                                                "survey.mail_stopped"],
}


def written_actions() -> set[str]:
    found = set()
    for path in itertools.chain((ROOT / "jgrad").rglob("*.py"), (ROOT / "surveys").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("record", "record_many") and node.args
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                first = node.args[0]
                if isinstance(first, ast.Constant):
                    found.add(first.value)
                else:
                    source = ast.unparse(first)
                    assert source in EXPANSIONS, f"{path}: add {source} to EXPANSIONS"
                    found.update(EXPANSIONS[source])
    return found


def test_every_action_in_the_code_has_words():
    actions = written_actions()
    assert len(actions) > 50
    missing = {a for a in actions if action_words(a) == a}
    assert not missing, f"add words to jgrad/audit/words.py: {sorted(missing)}"
    assert set(ACTIONS) - actions - {"account.pending"} == set(), "words for no action"


def test_the_audit_page_speaks_words_and_refuses_bad_filters(client, login, make_account,
                                                               make_registrant):
    from jgrad.audit.models import AuditEvent

    person = make_registrant(email="hana@example.org")
    make_account(role=Role.ADMIN, email="admin@example.org")
    login("hana@example.org")
    client.submit("/logout")
    login("admin@example.org")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Logged in" in page and "hana@example.org" not in page.split("<table")[0]
    assert person.doctor_id in page  # the actor by log-in, not "registrant 7"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) > 0
    bad = client.get("/admin/audit?since=yesterday&outcome=maybe")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "give a date such as" in text and "choose one from the list" in text
    client.submit("/lang", {"lang": "ja", "next": "/admin/audit"})
    assert "ログイン" in client.get("/admin/audit").get_data(as_text=True)
