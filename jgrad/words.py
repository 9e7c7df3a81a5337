"""Words for the codes stored in the database, in the reader's language (lazy strings).

Pages and mail show these, never the codes: ``words("role", account.role)``.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

WORDS = {
    "role": {"registrant": _l("Registrant"), "staff": _l("University staff"),
             "analyst": _l("Analyst"), "admin": _l("Administrator")},
    "staff_role": {"viewer": _l("views records"),
                   "editor": _l("views, imports and corrects records")},
    "account_state": {"pending": _l("Invited, password not set yet"), "active": _l("Active"),
                      "suspended": _l("Suspended"), "deleted": _l("Deleted")},
    "university_kind": {"national": _l("National"), "public": _l("Public"),
                        "private": _l("Private")},
}


def words(kind: str, code) -> object:
    """Return the words for ``code`` of ``kind`` (the code itself when it has none)."""
    if code is None:
        return ""
    code = str(code)
    return WORDS.get(kind, {}).get(code, code)


def choices(kind: str) -> list[tuple[str, object]]:
    """Return (code, words) pairs for a select field."""
    return list(WORDS[kind].items())
