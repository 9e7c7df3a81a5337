"""The API's world: two cooperating universities and one that does not, their staff, an
analyst, an administrator, registrants, and tokens made through the real services."""
from __future__ import annotations

import datetime as dt

import pytest

from jgrad.accounts.models import Role
from jgrad.api import tokens
from jgrad.extensions import db

ALL_SCOPES = ("records:read", "records:write", "surveys:read", "responses:export",
              "stats:read")


def student(number: str, **changes) -> dict:
    """One doctoral student as the upsert takes it."""
    row = {"student_number": number, "family_name": "佐藤", "given_name": f"学{number}",
           "family_name_roman": "Sato", "given_name_roman": f"Gaku{number}",
           "email": f"s{number.lower()}@example.org", "birth_year": 1995, "sex": "male",
           "nationality": "JP", "graduate_school": "Graduate School of Science",
           "major": "Physics", "field": "05", "programme_type": "latter",
           "entry_date": "2021-04-01", "status": "enrolled", "status_date": None,
           "degree": None}
    row.update(changes)
    return row


class World:
    def __init__(self, make_university, make_registrant, make_account):
        self.a = make_university(code="A")
        self.b = make_university(code="B")
        self.closed = make_university(code="C", cooperating=False)
        self.person_a = make_registrant(email="a@example.org", university=self.a)
        self.person_b = make_registrant(email="b@example.org", university=self.b)
        self.editor = make_account(role=Role.STAFF, university=self.a, email="ed.a@example.org")
        self.editor.staff_role = "editor"
        self.viewer = make_account(role=Role.STAFF, university=self.a, email="vw.a@example.org")
        self.viewer.staff_role = "viewer"
        self.other = make_account(role=Role.STAFF, university=self.b, email="ed.b@example.org")
        self.other.staff_role = "editor"
        self.analyst = make_account(role=Role.ANALYST, email="an@example.org")
        self.admin = make_account(role=Role.ADMIN, email="ad@example.org")
        db.session.commit()

    def token(self, account, *scopes, days: int = 30) -> str:
        """Make a token for ``account`` (by the administrator) and return the raw value."""
        scopes = scopes or tuple(s for s in ALL_SCOPES if s in tokens.allowed_scopes(account))
        _, raw = tokens.create_token(account, name="test", scopes=scopes, days=days,
                                     by=self.admin)
        db.session.commit()
        return raw

    def university_token(self, university, *scopes) -> str:
        _, raw = tokens.create_university_token(
            university, name="sis", scopes=scopes or ("records:read", "records:write"),
            days=30, by=self.admin)
        db.session.commit()
        return raw


@pytest.fixture
def world(make_university, make_registrant, make_account) -> World:
    return World(make_university, make_registrant, make_account)


def auth(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def today():
    return dt.date.today()
