"""The analysts' pages: releases, their tables and charts, and audited downloads."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user

from jgrad.access import roles_required
from jgrad.accounts.models import Role
from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.statistics import services
from jgrad.statistics.models import StatRelease
from jgrad.statistics.publish import display_frame, read_release

bp = Blueprint("statistics", __name__, url_prefix="/stats")
analyst_required = roles_required(Role.ANALYST, Role.ADMIN)


def _release(release_id: int) -> StatRelease:
    return db.session.get(StatRelease, release_id) or abort(404)


@bp.route("/")
@analyst_required
def releases():
    rows = db.session.scalars(sa.select(StatRelease).order_by(StatRelease.id.desc())).all()
    return render_template("statistics/releases.html", releases=rows)


@bp.route("/<int:release_id>")
@analyst_required
def release(release_id: int):
    row = _release(release_id)
    return render_template("statistics/release.html", release=row, meta=row.meta)


@bp.route("/<int:release_id>/tables/<table_id>")
@analyst_required
def table(release_id: int, table_id: str):
    row = _release(release_id)
    stored = read_release(services.folder_of(row))
    item = stored.tables.get(table_id) or abort(404)
    shown = display_frame(item) if item.withheld is None else None
    audit.record("stats.table.viewed", account=current_user, object_type="stat_release",
                 object_id=row.id, details={"table": table_id})
    db.session.commit()
    return render_template("statistics/table.html", release=row, table=item, shown=shown,
                           flags=row.meta["flags"], notes=row.meta["notes"])


@bp.route("/<int:release_id>/files/<name>")
@analyst_required
def download(release_id: int, name: str):
    row = _release(release_id)
    path = services.file_path(row, name) or abort(404)
    audit.record("stats.downloaded", account=current_user, object_type="stat_release",
                 object_id=row.id, details={"file": name})
    db.session.commit()
    inline = path.suffix in (".png", ".svg")
    return send_file(path, as_attachment=not inline, download_name=name, max_age=0)
