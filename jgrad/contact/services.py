"""Read the stored inquiries for the institute."""
from __future__ import annotations

import sqlalchemy as sa

from jgrad.contact.models import Inquiry
from jgrad.extensions import db


def inquiries_page(*, show_closed: bool, page: int, size: int) -> tuple[list[Inquiry], bool]:
    """Return one page of inquiries, newest first (open ones only unless ``show_closed``),
    and whether another page follows."""
    query = sa.select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    if not show_closed:
        query = query.where(Inquiry.closed_at.is_(None))
    rows = db.session.scalars(query.limit(size + 1).offset((page - 1) * size)).all()
    return list(rows[:size]), len(rows) > size
