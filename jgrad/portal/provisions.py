"""Rule 6: the register of provisions of registration information to third parties."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.portal.models import Provision


class ProvisionError(ValueError):
    """A provision that cannot be recorded as given."""


def record_provision(*, dataset: str, recipient: str, purpose: str, legal_basis: str,
                     provided_on: dt.date, records: int | None, by,
                     today: dt.date | None = None) -> Provision:
    """Record one provision with its audit event; the caller commits."""
    if provided_on > (today or dt.date.today()):
        raise ProvisionError("provided_on")
    provision = Provision(dataset=dataset, recipient=recipient, purpose=purpose,
                          legal_basis=legal_basis, provided_on=provided_on, records=records,
                          recorded_by_account_id=by.id)
    db.session.add(provision)
    db.session.flush()
    audit.record("provision.recorded", account=by, object_type="provision",
                 object_id=provision.id)
    return provision


def register(newest_first: bool = True) -> list[Provision]:
    """Return the whole register, by date of provision."""
    order = ((Provision.provided_on.desc(), Provision.id.desc()) if newest_first
             else (Provision.provided_on,))
    return list(db.session.scalars(sa.select(Provision).order_by(*order)))
