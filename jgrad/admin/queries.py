"""What the administrators' management pages list."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.accounts.models import Account, Role
from jgrad.extensions import db
from jgrad.universities.models import University


def universities_with_accounts() -> list:
    """Return (university, number of its accounts) for every university, by code."""
    return db.session.execute(
        sa.select(University, sa.func.count(Account.id))
        .outerjoin(Account, Account.university_id == University.id)
        .group_by(University.id).order_by(University.code)).all()


def all_universities() -> list[University]:
    """Return every university, by code."""
    return list(db.session.scalars(sa.select(University).order_by(University.code)))


def institute_accounts() -> list[Account]:
    """Return the staff, analyst and administrator accounts, by role and address."""
    return list(db.session.scalars(sa.select(Account).where(Account.role != Role.REGISTRANT)
                                   .order_by(Account.role, Account.email)))
