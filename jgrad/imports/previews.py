"""Import previews: the uploaded files kept between preview and confirmation, for a day.

University imports keep the raw file; other uploads (survey definitions) keep a small JSON
envelope through `keep` / `look` / `claim`: named by the hash of an unguessable token, bound
to the account that uploaded it, refused once a day old, and removed by the one that loads it.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
from pathlib import Path

from flask import current_app

LIFETIME = dt.timedelta(days=1)


class PreviewGone(LookupError):
    """No kept upload answers this token for this account: unknown, expired or used."""


def folder(create: bool = False) -> Path:
    """Return the folder of previews in the instance (made, private, when ``create``)."""
    path = Path(current_app.instance_path) / "uploads"
    if create:
        path.mkdir(mode=0o700, exist_ok=True)
    return path


def _path(kind: str, token: str) -> Path:
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()[:40]
    return folder(create=True) / f"{kind}-{digest}.json"


def keep(kind: str, owner_id: int, data: bytes, **details) -> str:
    """Keep an upload awaiting confirmation (0600); return the token that names it."""
    token = secrets.token_urlsafe(32)
    envelope = {"owner": owner_id, "details": details,
                "data": base64.b64encode(data).decode("ascii")}
    descriptor = os.open(_path(kind, token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(envelope, file)
    return token


def look(kind: str, owner_id: int, token: str, now: dt.datetime) -> tuple[bytes, dict]:
    """Return a kept upload's bytes and details; raise PreviewGone when there is none."""
    if not token or len(token) > 128:
        raise PreviewGone()
    path = _path(kind, token)
    try:
        if path.stat().st_mtime < (now - LIFETIME).timestamp():
            path.unlink(missing_ok=True)
            raise PreviewGone()
        envelope = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise PreviewGone() from None
    if envelope.get("owner") != owner_id:
        raise PreviewGone()  # another account's upload: as if there were none
    return base64.b64decode(envelope["data"]), envelope["details"]


def claim(kind: str, owner_id: int, token: str, now: dt.datetime) -> tuple[bytes, dict]:
    """Take a kept upload for loading: only one caller ever gets it (the file is removed)."""
    data, details = look(kind, owner_id, token, now)
    try:
        _path(kind, token).unlink()
    except FileNotFoundError:
        raise PreviewGone() from None  # a second confirmation racing the first
    return data, details


def expire(now: dt.datetime, dry_run: bool = False, progress=None) -> dict:
    """Hourly: remove previews left unconfirmed for a day (they hold people's rows)."""
    path = folder()
    cutoff = (now - LIFETIME).timestamp()
    stale = [file for file in path.iterdir()
             if file.is_file() and file.stat().st_mtime < cutoff] if path.is_dir() else []
    if not dry_run:
        for file in stale:
            file.unlink(missing_ok=True)
    return {"expired": len(stale)}
