"""Per-request plumbing: request IDs, the access log, security headers and error pages."""
from __future__ import annotations

import logging
import re
import secrets
import sys
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

from flask import Flask, Request, g, make_response, render_template, request
from flask.json.provider import DefaultJSONProvider
from markupsafe import escape
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from jgrad.audit import services as audit
from jgrad.extensions import db, login_manager
from jgrad.i18n import gettext as _

access_log = logging.getLogger("jgrad.access")
error_log = logging.getLogger("jgrad.errors")

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


class _DropServerRequestLines(logging.Filter):
    """Keep the development server's own request lines (full URLs, tokens included) out.

    Werkzeug formats the address and time into the message itself and leaves the request
    line as an argument: ``'127.0.0.1 - - [29/Nov/2026 10:00:00] "%s" %s %s\n'``. Its
    error lines (a bad request line, quoted whole) have the same prefix. The access log
    already records each request, by path only.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not _SERVER_LINE.match(str(record.msg))


_SERVER_LINE = re.compile(r"^\S+ - - \[[^\]]*\] ")


MAX_ID = 2**31 - 1  # the largest INTEGER on PostgreSQL
MAX_PAGE = 100_000


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in routes: an id the database can hold, else the route does not match (404).

    A 20-digit id would otherwise reach the query and overflow the column (a 500).
    """

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def page_number(args, name: str = "page") -> int:
    """Return the page asked for in ``args``: plain ASCII digits, 1 to MAX_PAGE, else 1."""
    raw = (args.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


# Neither database takes a NUL in a string (PostgreSQL refuses it outright, SQLite's
# full-text queries stop at it): one typed or pasted into any field, a search box, an
# address, a JSON body, was an error page once it reached a query. A request's text reads
# each NUL as a space (``TextParameters``, ``TextJSON``); uploaded files are left as sent.
def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", " ")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


class TextJSON(DefaultJSONProvider):
    """JSON bodies read with each NUL in their strings as a space."""

    def loads(self, s, **kwargs):
        return _without_nul(super().loads(s, **kwargs))


class TextParameters(ImmutableMultiDict):
    """A request's query string and form fields with each NUL read as a space."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = [(k, one) for k, v in mapping.items()
                     for one in (v if isinstance(v, (list, tuple)) else [v])]
        else:
            pairs = mapping
        super().__init__([(_without_nul(k), _without_nul(v)) for k, v in pairs])


class JgradRequest(Request):
    parameter_storage_class = TextParameters


def init_web(app: Flask) -> None:
    app.request_class = JgradRequest
    app.json = TextJSON(app)
    # Before any blueprint adds its routes, so that every ``<int:...>`` gets the bound.
    app.url_map.converters["int"] = DatabaseIdConverter
    _configure_access_log(app)
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, _DropServerRequestLines) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(_DropServerRequestLines())
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _configure_access_log(app: Flask) -> None:
    """Log one line per request to a rotating file in the instance folder and to stderr."""
    log_dir = Path(app.instance_path) / "logs"
    log_dir.mkdir(exist_ok=True)
    path = str(log_dir / "access.log")
    for handler in list(access_log.handlers):
        access_log.removeHandler(handler)
        handler.close()
    file_handler = RotatingFileHandler(
        path,
        maxBytes=app.config["ACCESS_LOG_MAX_BYTES"],
        backupCount=app.config["ACCESS_LOG_BACKUPS"],
        encoding="utf-8",
    )
    formatter = logging.Formatter("%(asctime)s %(message)s")
    for handler in (file_handler, logging.StreamHandler(sys.stderr)):
        handler.setFormatter(formatter)
        access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False


# Endpoints that take files get a larger limit than MAX_CONTENT_LENGTH; set before anything
# (the CSRF check included) reads the body.
UPLOAD_LIMITS = {"imports.upload": 20 * 1024 * 1024}


def _start_request() -> None:
    if request.endpoint in UPLOAD_LIMITS:
        request.max_content_length = UPLOAD_LIMITS[request.endpoint]
        request.max_form_memory_size = UPLOAD_LIMITS[request.endpoint]
    g.request_id = secrets.token_hex(8)
    g.started = time.perf_counter()
    g.client_ip = request.remote_addr
    g.audit_origin = audit.set_request_origin(g.client_ip, g.request_id)


def _end_request(error=None) -> None:
    token = g.pop("audit_origin", None)
    if token is not None:
        audit.clear_request_origin(token)


def _finish_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "-")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.endpoint != "static":
        # Pages may carry personal data: never keep them in any cache.
        response.headers["Cache-Control"] = "no-store"
    duration_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    # The path only: query strings (which may carry tokens) and bodies never reach the log.
    access_log.info(
        "%s %s %s %s %.1fms %s",
        g.get("client_ip") or "-",
        request.method,
        request.path,
        response.status_code,
        duration_ms,
        g.get("request_id", "-"),
    )
    return response


def register_error_renderer(app: Flask, prefix: str, render) -> None:
    """Let the paths under ``prefix`` answer errors their own way (the API's JSON)."""
    app.extensions.setdefault("jgrad.error_renderers", []).append((prefix, render))


def _renderer():
    from flask import current_app

    for prefix, render in current_app.extensions.get("jgrad.error_renderers", ()):
        if request.path.startswith(prefix):
            return render
    return None


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    render = _renderer()
    if render is not None:
        return render(error)
    response = make_response(_error_page(error.code), error.code)
    if getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _unexpected_error(error: Exception):
    """Log the traceback, undo the request's writes, and show the generic page."""
    error_log.exception("unhandled error in request %s", g.get("request_id", "-"))
    _rollback()
    render = _renderer()
    if render is not None:
        return render(InternalServerError())
    return _http_error(InternalServerError())


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection itself may be gone; the page must still be shown
        error_log.exception("rollback failed in request %s", g.get("request_id", "-"))


def _error_page(code: int) -> str:
    """Render the error page; when the database is what failed, render it without the account."""
    try:
        return render_template("errors/error.html", code=code, title=_error_title(code))
    except Exception:
        error_log.exception("error page failed in request %s", g.get("request_id", "-"))
    _rollback()
    g._login_user = login_manager.anonymous_user()  # the page's menu needs no database
    try:
        return render_template("errors/error.html", code=code, title=_error_title(code))
    except Exception:
        error_log.exception("plain error page in request %s", g.get("request_id", "-"))
    quote = _("If you contact us about this, quote the request ID %(id)s.",
              id=g.get("request_id", "-"))
    return (f"<!doctype html><title>{code}</title><h1>{escape(_error_title(code))}</h1>"
            f"<p>{escape(quote)}</p>")


def _error_title(code: int) -> str:
    titles = {
        400: _("The request could not be understood."),
        403: _("You do not have access to this page."),
        404: _("Page not found."),
        405: _("This action is not allowed here."),
        413: _("The request is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    return titles.get(code, _("Something went wrong on our side."))
