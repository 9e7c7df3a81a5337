"""A scratch application and database for benchmarks, built by the migrations."""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from jgrad import create_app
from jgrad.extensions import db


@contextmanager
def scratch_app(database_url: str | None, context: bool = True, keep: bool = False,
                instance: Path | None = None, **config):
    """Yield (app, url, folder) on a new SQLite file or an emptied database.

    With ``context`` the caller runs inside an application context; without it (to time
    requests through the test client, each in a context of its own) it does not. With
    ``keep`` a given database keeps its rows (only new migrations run), so that a large
    one is built once and timed many times; ``instance``, a folder kept with it (the files
    of its statistical releases), else a new one.
    """
    with tempfile.TemporaryDirectory() as temporary:
        folder = str(instance) if instance is not None else temporary
        url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": folder,
                          "SECRET_KEY": "bench", **config})
        with app.app_context():
            if database_url and not keep:
                db.drop_all()
                db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
                db.session.commit()
            upgrade()
            if context:
                yield app, url, Path(folder)
        if not context:
            yield app, url, Path(folder)
