"""The JSON API's blueprint (``/api/v1``): authentication, the gate, the document and its
reference page. The operations live beside it (records, me, statistics, surveys)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_limiter.util import get_remote_address

from jgrad.access import ANYONE, SIGNED_IN, allow, guard
from jgrad.api import auth
from jgrad.api.spec import document
from jgrad.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Authentication runs before the gate, so that the gate sees the token's account.
bp.before_request(auth.authenticate)
guard(bp, SIGNED_IN)  # every operation narrows this with @allow beside its route
bp.after_request(auth.audit_call)
csrf.exempt(bp)  # token calls need no CSRF; session writes are checked in auth.authenticate
limiter.limit(auth.rate_limit, key_func=auth.rate_key)(bp)
# Guessing tokens: refused calls count per client address, whatever token they carry.
limiter.limit(auth.refused_limit, key_func=get_remote_address, scope="api-refused",
              deduct_when=lambda response: response.status_code == 401)(bp)


@bp.route("/openapi.json")
@allow(ANYONE)
def openapi():
    return jsonify(document())


@bp.route("/docs")
@allow(ANYONE)
def reference():
    spec = document()
    return render_template("api/reference.html", spec=spec,
                           schemas=spec["components"]["schemas"])
