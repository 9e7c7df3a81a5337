"""Where a ``next`` parameter may send the browser: same-site relative paths only."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

_ALLOWED = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?%"
)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, else None.

    Browsers drop tabs and line breaks inside URLs and read ``\\`` as ``/``, so
    ``/\\t/evil`` or ``/\\evil`` lead off-site; non-ASCII look-alike slashes and
    percent-encoded ones are refused as well. Only plain printable ASCII is let through.
    """
    if not target or len(target) > 2000 or not set(target) <= _ALLOWED:
        return None
    parts = urlsplit(target)
    if target.startswith("//") or parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    decoded = unquote(parts.path)
    if decoded.startswith("//") or "\\" in decoded or not decoded.isprintable():
        return None
    return target
