"""One error shape for the whole API: RFC 9457 problem details, with the field or item named.

Every refusal under ``/api/`` (unknown paths and methods included, and the rate limiter's
429) is answered here as ``application/problem+json``, never as the HTML error page.
"""
from __future__ import annotations

from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException

from jgrad.i18n import gettext as _

PROBLEM_TYPES = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "conflict", 413: "too-large", 415: "unsupported-media-type",
    422: "validation", 429: "rate-limited", 500: "server-error",
}


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("A valid API token or session is required."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("Someone else changed this record meanwhile."),
        413: _("The request is too large."),
        415: _("Send the body as JSON."),
        422: _("The request has errors; nothing was changed."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side."),
    }


class Problem(HTTPException):
    """An API refusal with its details; raise it anywhere in an API request."""

    def __init__(self, status: int, detail: str | None = None, errors: list[dict] | None = None,
                 headers: dict | None = None):
        super().__init__(description=detail)
        self.code = status
        self.detail = detail
        self.errors = errors
        self.extra_headers = headers or {}


def problem_response(status: int, detail: str | None = None, errors: list[dict] | None = None,
                     headers: dict | None = None):
    """Build a problem-details response."""
    body = {"type": f"/api/v1/docs#problem-{PROBLEM_TYPES.get(status, 'other')}",
            "title": _titles().get(status, _titles()[500]), "status": status,
            "detail": detail or None, "instance": request.path,
            "request_id": g.get("request_id")}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="jgrad"'
    return response


def render_error(error: HTTPException):
    """Answer an HTTP error raised in an API request (or for an unknown API path)."""
    if isinstance(error, Problem):
        return problem_response(error.code, error.detail, error.errors, error.extra_headers)
    code = error.code or 500
    headers = {}
    if getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = None
    if code == 413:
        detail = _("The body is larger than this operation accepts.")
    return problem_response(code, detail, headers=headers)
