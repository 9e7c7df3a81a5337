"""Every role walks the demo site in Japanese by following its links, downloads included.

The demo data (registrants, surveys, a closed survey, a statistical release) is loaded as
``make run`` loads it; each role signs in, picks Japanese and follows every link it is shown
(at most a few pages of each kind, so forty registrants do not make forty walks). Every page
must open (a link a role is shown but may not follow is a defect), and no page, CSV, Excel
file, zip of CSVs or chart may show a run of English words to a Japanese reader. Pages with
ids (a record, a survey's rates, a release's table) are reached this way, which a list of
routes cannot do.
"""
from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from jgrad.accounts import totp
from jgrad.accounts.models import Account, Role
from jgrad.demo.generate import DEMO_LOGINS, REGISTRANT_PASSWORD
from jgrad.extensions import db
from tests.test_japanese_everywhere import ENGLISH_RUN, visible_text

PER_KIND = 2  # pages of one kind (same path with numbers taken out) followed per role
NEVER = ("/logout", "/static/", "/api/", "/lang")
#: The other language's copy of a download, offered after the reader's own on purpose.
ENGLISH_COPY = re.compile(r"/files/en/")
#: Downloads meant for programs keep their codes (the registrant's JSON, release.json's
#: codes; its words are checked in tests/statistics/test_release_languages.py).
CODES_ON_PURPOSE = ("application/json",)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("#", "mailto:", "javascript:")):
            self.links.append(href)


def _kind(path: str) -> str:
    split = urlsplit(path)
    query = "&".join(sorted(p.split("=")[0] for p in split.query.split("&") if p))
    path = re.sub(r"JD\w+|\d+", "N", split.path)
    # A release's tables and files are one kind each (every file of a release is checked in
    # tests/statistics/test_release_languages.py); the walk samples them.
    path = re.sub(r"/(tables|files/\w+)/[^/]+?(\.\w+)?$", r"/\1/*\2", path)
    return path + "?" + query


def _csv_text(data: bytes) -> str:
    """A CSV's text, less columns English on purpose (a bilingual codebook's ``*_en``)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    keep = [i for i, name in enumerate(rows[0] if rows else []) if not name.endswith("_en")]
    return " ".join(" ".join(row[i] for i in keep if i < len(row)) for row in rows)


def _download_text(response) -> str:
    data, kind = response.get_data(), response.mimetype
    if kind == "text/csv":
        return _csv_text(data)
    if kind.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(data), read_only=True)
        return " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(
            values_only=True) for v in row if isinstance(v, str))
    if kind == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(_csv_text(archive.read(n)) for n in archive.namelist()
                            if n.endswith(".csv"))
    if kind == "image/svg+xml":
        return " ".join(re.findall(r"<text\b[^>]*>([^<]*)</text>", data.decode("utf-8")))
    return ""


def _next_code_step(identifier: str) -> tuple[str, int]:
    """The account's TOTP key and a step its code may still use: a code works once, so a
    second sign-in within the same 30 seconds takes the next step (inside the window)."""
    db.session.commit()  # a fresh read of what the server wrote
    key, last = db.session.execute(sa.select(Account.totp_key, Account.totp_last_step).where(
        Account.login == identifier)).one()
    return key, max(totp.step_at(time.time()), (last or 0) + 1)


def _sign_in(client, identifier: str, password: str) -> None:
    response = client.submit("/login", {"identifier": identifier, "password": password})
    assert response.status_code in (302, 303), response.status_code
    if "/login/code" in response.headers["Location"]:
        key, step = _next_code_step(identifier)
        code = totp.code_at(key, step)
        response = client.submit("/login/code", {"code": code})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]


def _walk(client, start: str, typed: tuple[str, ...]) -> tuple[int, dict, dict]:
    """Follow links from ``start``; return pages seen, English found, pages that failed."""
    queue, seen, kinds = deque([start]), {start}, {}
    english, failed, visited = {}, {}, 0
    while queue and visited < 400:
        path = queue.popleft()
        response = client.get(path)
        visited += 1
        if response.status_code in (301, 302, 303):
            continue
        if response.status_code != 200:
            failed[path] = response.status_code
            continue
        if response.mimetype == "text/html":
            page = response.get_data(as_text=True)
            text = visible_text(page)
            parser = _Links()
            parser.feed(page)
            for href in parser.links:
                target = urljoin(path, href)
                split = urlsplit(target)
                if split.netloc and split.netloc != "localhost":
                    continue
                local = split.path + (f"?{split.query}" if split.query else "")
                if local in seen or local.startswith(NEVER) or ENGLISH_COPY.search(local):
                    continue
                kind = _kind(local)
                if kinds.get(kind, 0) >= PER_KIND:
                    continue
                kinds[kind] = kinds.get(kind, 0) + 1
                seen.add(local)
                queue.append(local)
        elif response.mimetype in CODES_ON_PURPOSE:
            continue
        else:
            text = _download_text(response)
        for data in typed:
            text = text.replace(data, "")
        runs = ENGLISH_RUN.findall(text)
        if runs:
            english[path] = sorted(set(runs))[:6]
    return visited, english, failed


TYPED = (
    "SELECT employer FROM career_spells", "SELECT graduate_school FROM enrolments",
    "SELECT degree_name FROM enrolments", "SELECT major FROM enrolments",
    "SELECT given_name_roman || ' ' || family_name_roman FROM registrants",
    "SELECT family_name_roman || ' ' || given_name_roman FROM registrants",
    "SELECT given_name_roman FROM registrants", "SELECT family_name_roman FROM registrants",
)


def load_demo_site(runner) -> None:
    """Load the demo data as `make run` does (both surveys too) and publish a release."""
    for args in (["demo-data", "--registrants", "60", "--logins", "skip"], ["stats", "release"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output


@pytest.fixture
def demo_site(runner):
    load_demo_site(runner)
    first = db.session.scalar(sa.select(Account.login).where(
        Account.role == Role.REGISTRANT).order_by(Account.id).limit(1))
    return {None: None, "registrant": (first, REGISTRANT_PASSWORD),
            **{role.value: login for role, login in DEMO_LOGINS.items()}}


def test_every_role_walks_the_site_in_japanese(app, demo_site):
    # One demo site for all roles: loading it and building a release is the slow part.
    # What people typed into the demo (names, schools, degrees, employers) is theirs.
    typed = tuple(sorted({v for sql in TYPED for v in db.session.scalars(sa.text(sql)) if v},
                         key=len, reverse=True))
    least = {None: 4, "registrant": 10, "staff": 10, "analyst": 10, "admin": 20}
    starts = {None: "/", "registrant": "/me", "staff": "/records/", "analyst": "/stats/",
              "admin": "/admin/"}
    problems = []
    for role, start in starts.items():
        client = app.test_client()
        if demo_site[role]:
            _sign_in(client, *demo_site[role])
        client.submit("/lang", {"lang": "ja", "next": "/"})
        visited, english, failed = _walk(client, start, typed)
        assert visited > least[role], (role, visited)
        problems += [f"{role}: link fails {p}: {code}" for p, code in failed.items()]
        problems += [f"{role}: English on {p}: {runs}" for p, runs in english.items()]
    assert not problems, "\n".join(problems)
