"""Import previews: the uploaded files kept between preview and confirmation, for a day."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app

LIFETIME = dt.timedelta(days=1)


def folder(create: bool = False) -> Path:
    """Return the folder of previews in the instance (made, private, when ``create``)."""
    path = Path(current_app.instance_path) / "uploads"
    if create:
        path.mkdir(mode=0o700, exist_ok=True)
    return path


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
