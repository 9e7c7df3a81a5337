"""Registrants: their own record, read and updated (a data-portability route; session only)."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from jgrad.accounts.models import Role
from jgrad.actors import Actor
from jgrad.api import schemas as s
from jgrad.api.problems import Problem
from jgrad.api.records_views import change_profile
from jgrad.api.serialize import record
from jgrad.api.spec import operation
from jgrad.api.views import bp
from jgrad.extensions import db
from jgrad.i18n import gettext as _


def _own():
    registrant = current_user.registrant
    if registrant is None:
        raise Problem(404, detail=_("This account has no record."))
    return registrant


@bp.route("/me")
@operation(Role.REGISTRANT, scope=None, ok={"HTTP_200": s.RegistrantRecord}, tags=("me",),
           operation_id="getOwnRecord")
def me():
    """Read your own record, every item with its source."""
    return record(_own())


@bp.route("/me/profile", methods=["PATCH"])
@operation(Role.REGISTRANT, scope=None, json=s.ProfilePatch, ok={"HTTP_200": s.Changed},
           tags=("me",), operation_id="updateOwnProfile")
def update_me():
    """Update your own profile (the same rules as the profile page)."""
    registrant = _own()
    changed = change_profile(registrant, request.context.json, Actor.for_account(current_user))
    db.session.commit()
    return {"changed": sorted(changed), "version": registrant.version}
