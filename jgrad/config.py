"""Configuration defaults; ``instance/config.py`` and ``JGRAD_*`` variables override them."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


class Defaults:
    # "production" turns on Secure cookies; ``make run`` sets JGRAD_ENV=development.
    ENV = "production"
    # hide_parameters: a database error's message (logged with its traceback) names the
    # statement but never the values, which are form input and personal data.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    SESSION_COOKIE_NAME = "jgrad_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    SESSION_REFRESH_EACH_REQUEST = True
    REMEMBER_COOKIE_DURATION = 0

    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 512 * 1024

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    LANGUAGES = ("en", "ja")

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "jgrad"
    # Requests per API token (per account for browser sessions).
    API_RATE_LIMIT = "300 per minute"
    # Calls refused for want of a valid token, per client address (token guessing).
    API_REFUSED_RATE_LIMIT = "30 per minute;300 per day"
    # Failed log-ins (wrong passwords) allowed per client address, and per identifier
    # (Doctor ID or e-mail, known or not) from all addresses together; successes never count.
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    LOGIN_ACCOUNT_FAILURE_LIMIT = "10 per 15 minutes;30 per day"
    # Roles that must use two-factor sign-in (an authenticator app); offered to everyone.
    TWO_FACTOR_REQUIRED_ROLES = ("admin",)
    SIGNUP_RATE_LIMIT = "5 per minute;30 per hour"
    RESET_RATE_LIMIT = "5 per minute;30 per hour"
    CONTACT_RATE_LIMIT = "5 per minute;30 per hour"
    # Forms behind a mailed link: the token already stops guessing; allow for typing mistakes.
    LINK_FORM_RATE_LIMIT = "20 per minute;100 per hour"

    # Number of trusted proxies in front of the app (X-Forwarded-For hops); 0 = none.
    PROXY_FIX_X_FOR = 0

    SIGNUP_TOKEN_HOURS = 72
    RESET_TOKEN_HOURS = 2
    DELETION_GRACE_DAYS = 30

    # Rule 9: dormant after this many years without a log-in; then mailed, and after the
    # grace period (or at once when unreachable) suspended or deleted.
    DORMANCY_YEARS = 3
    DORMANCY_GRACE_DAYS = 30
    DORMANCY_REMINDER_DAYS = 7  # a reminder this many days before the deadline; 0 = none
    DORMANCY_ACTION = "delete"  # or "suspend"
    # Key of the deletion ledger's hashes; defaults to the secret key. Keep it stable.
    LEDGER_KEY = ""

    SMTP_HOST = ""
    SMTP_PORT = 25
    SMTP_TLS = False  # STARTTLS
    SMTP_SSL = False
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    SMTP_TIMEOUT = 15
    MAIL_SENDER = "JGRAD <no-reply@jgrad.example>"
    MAIL_MAX_ATTEMPTS = 8
    # A message claimed by a sender of another host that has not finished it after this
    # long is given back and sent again (a sender of this host that died: at once).
    MAIL_CLAIM_SECONDS = 900
    # None: deliver at the end of the request only when mail goes to files (no SMTP host).
    MAIL_DELIVER_IMMEDIATELY = None
    SERVER_NAME_FOR_MAIL = ""  # e.g. "https://jgrad.example"; default: the request's host

    # Disclosure control of statistical releases (rule 10).
    STATS_THRESHOLD = 10
    STATS_ROUNDING = 5
    STATS_MIN_DENOMINATOR = 25
    # "suppression" (hidden cells, rounding, the interval audit) or "differential_privacy"
    # (every cell with noise from OpenDP, see stats/dp.py): the method of every release,
    # scheduled or made with `flask stats release` (which may choose the other for one).
    STATS_METHOD = "suppression"
    STATS_DP_RHO = 0.5            # privacy loss (zCDP rho) of one private release
    STATS_DP_RHO_PER_YEAR = 2.0   # the most all private releases of one fiscal year may lose

    ACCESS_LOG_MAX_BYTES = 10 * 1024 * 1024
    ACCESS_LOG_BACKUPS = 10


BOOL_TRUE = {"1", "true", "yes", "on"}
BOOL_FALSE = {"0", "false", "no", "off"}


def _coerce(current, raw: str):
    """Turn an environment string into the type of the default it replaces."""
    if isinstance(current, bool):
        value = raw.strip().lower()
        if value in BOOL_TRUE:
            return True
        if value in BOOL_FALSE:
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if isinstance(current, int) and not isinstance(current, bool):
        return int(raw)
    return raw


def apply_environment(config: dict, environ=os.environ) -> None:
    """Override settings from ``JGRAD_<NAME>`` environment variables."""
    for key, raw in environ.items():
        if not key.startswith("JGRAD_") or key.startswith("JGRAD_TEST_"):
            continue
        name = key[len("JGRAD_"):]
        if name == "DATABASE_URL":
            config["SQLALCHEMY_DATABASE_URI"] = raw
        elif name == "MAIL_DELIVER_IMMEDIATELY":
            config[name] = _coerce(True, raw)
        else:
            config[name] = _coerce(config.get(name), raw)


def ensure_secret_key(instance_path: Path) -> str:
    """Read the instance secret key, creating it (mode 0600) on first run."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
