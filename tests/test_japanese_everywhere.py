"""A Japanese reader sees no English: every page of every role, rendered in Japanese, is
searched for runs of English words (untranslated text, raw codes in sentences).

Pages that need an object (a statistical release and its files, the import preview with
problems) are checked the same way in ``tests/statistics/test_release_languages.py``."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from jgrad.accounts.models import Role
from jgrad.extensions import db
from tests.factories import PASSWORD

ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ \-][A-Za-z][a-z]+){2,}\b")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SILENT = {"script", "style", "title", "code"}


class _Text(HTMLParser):
    """The text a reader sees, less what is marked English on purpose (lang="en", such as
    a survey's English preview beside the Japanese one) and code."""

    def __init__(self):
        super().__init__()
        self.stack, self.skip_from, self.parts = [], None, []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.stack.append(tag)
        if self.skip_from is None and (tag in SILENT or dict(attrs).get("lang") == "en"):
            self.skip_from = len(self.stack)

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            popped = self.stack.pop()
            if self.skip_from is not None and len(self.stack) < self.skip_from:
                self.skip_from = None
            if popped == tag:
                break

    def handle_data(self, data):
        if self.skip_from is None:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(parser.parts)


@pytest.fixture
def world(make_university, make_registrant, make_account):
    home = make_university(code="HOME")
    person = make_registrant(email="hana@example.org", university=home,
                             family_name_roman="Yamada", given_name_roman="Hana")
    staff = make_account(Role.STAFF, email="staff@home.example", university=home)
    staff.staff_role = "editor"
    make_account(Role.ANALYST, email="analyst@example.org")
    make_account(Role.ADMIN, email="admin@example.org")
    from importlib import resources

    from surveys import load_json, services
    text = resources.files("surveys").joinpath("examples/career_wave.json").read_text("utf-8")
    survey, _ = services.store(load_json(text))
    survey.open()
    db.session.commit()
    return person


def _pages(app, role: str, doctor_id: str) -> list[str]:
    """Every GET page without other parameters that this role's blueprints serve."""
    skip = ("static", "api.", "accounts.logout", "accounts.login_code", "_complete",
            "email_confirm", "surveys.answer", "surveys.submit_link", "surveys.stop_mail",
            "export", "download", "openapi", ".csv", ".xlsx", "responses")
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or any(s in rule.endpoint for s in skip):
            continue
        if rule.arguments - {"doctor_id", "slug"}:
            continue
        values = {"doctor_id": doctor_id, "slug": "career-wave"}
        paths.append(app.url_map.bind("localhost").build(rule.endpoint, {
            k: values[k] for k in rule.arguments}))
    return sorted(set(paths))


@pytest.mark.parametrize("who", [None, "registrant", "staff@home.example",
                                 "analyst@example.org", "admin@example.org"])
def test_no_english_on_any_page_in_japanese(app, client, world, who):
    person = world
    if who:
        identifier = person.doctor_id if who == "registrant" else who
        client.submit("/login", {"identifier": identifier, "password": PASSWORD})
    client.submit("/lang", {"lang": "ja", "next": "/"})
    found = {}
    checked = 0
    for path in _pages(app, who, person.doctor_id):
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        checked += 1
        text = visible_text(response.get_data(as_text=True))
        for data in ("Yamada", "Hana", "Graduate School of Science", "Doctor of Science"):
            text = text.replace(data, "")  # what the test's people typed, not the site's words
        runs = [r for r in ENGLISH_RUN.findall(text)]
        if runs:
            found[path] = sorted(set(runs))[:8]
    assert checked >= 3
    assert not found, "\n".join(f"{p}: {r}" for p, r in found.items())


class _Anything(str):
    """A stand-in for any value a mail template reads: text, a number, an object, a list."""

    def __new__(cls):
        return super().__new__(cls, "X")

    def __getattr__(self, name):
        return _Anything()

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __int__(self):
        return 1

    __index__ = __int__

    def __iter__(self):
        return iter(())


def test_no_english_in_any_mail_in_japanese(app):
    from pathlib import Path

    from jinja2 import meta

    from jgrad.mail.services import render

    folder = Path(app.root_path) / "templates" / "mail"
    found = {}
    names = sorted({p.name.split(".")[0] for p in folder.glob("*.txt")})
    for name in names:
        source = "".join((folder / f"{name}{part}.txt").read_text("utf-8")
                         for part in ("", ".subject"))
        wanted = meta.find_undeclared_variables(app.jinja_env.parse(source))
        subject, body = render(name, "ja", **{v: _Anything() for v in wanted
                                             if v not in ("_", "ngettext", "gettext")})
        runs = ENGLISH_RUN.findall(f"{subject}\n{body}")
        if runs:
            found[name] = sorted(set(runs))
    assert len(names) >= 15
    assert not found, found
