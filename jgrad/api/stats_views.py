"""Analysts: statistical releases, their tables and breakdowns as JSON, hidden cells flagged.

Only what the release published leaves here: a hidden cell's value is null with its flag,
a withheld table has no rows. Never a row about a person.
"""
from __future__ import annotations

import math

import pandas as pd
import sqlalchemy as sa
from flask_login import current_user

from jgrad.accounts.models import Role
from jgrad.api import schemas as s
from jgrad.api.problems import Problem
from jgrad.api.spec import operation
from jgrad.api.views import bp
from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.i18n import gettext as _
from jgrad.statistics import services
from jgrad.statistics.models import StatRelease
from jgrad.statistics.publish import stored_release

ANALYSTS = (Role.ANALYST, Role.ADMIN)


def _release(release_id: int) -> StatRelease:
    row = db.session.get(StatRelease, release_id)
    if row is None:
        raise Problem(404, detail=_("No such release."))
    return row


def _summary(row: StatRelease) -> dict:
    return {"id": row.id, "as_of": row.as_of, "created_at": row.created_at,
            "catalogue_version": row.catalogue_version}


@bp.route("/releases")
@operation(*ANALYSTS, scope="stats:read", ok={"HTTP_200": s.ReleaseList}, tags=("statistics",),
           operation_id="listReleases")
def releases():
    """List the statistical releases, newest first."""
    rows = db.session.scalars(sa.select(StatRelease).order_by(StatRelease.id.desc()))
    return {"items": [_summary(row) for row in rows]}


@bp.route("/releases/<int:release_id>")
@operation(*ANALYSTS, scope="stats:read", ok={"HTTP_200": s.Release}, tags=("statistics",),
           operation_id="getRelease")
def release(release_id: int):
    """One release: its flags, notes and tables (breakdowns name the table they break down)."""
    row = _release(release_id)
    meta = row.meta
    private = meta.get("method") == "differential_privacy"
    return {**_summary(row), "flags": meta["flags"], "notes": meta["notes"],
            "method": meta.get("method", "suppression"),
            "privacy": {k: float(v) for k, v in meta["rules"].items()} if private else None,
            "tables": [{"id": t["id"], "title": t["title"], "breakdown_of": t.get("breakdown_of"),
                        "withheld": t.get("withheld")} for t in meta["tables"]]}


def _cell(value, flag) -> dict | None:
    hidden = isinstance(flag, str) and flag != ""
    number = None
    if not hidden and value is not None and not (isinstance(value, float) and math.isnan(value)):
        number = float(value)
    return {"value": number, "hidden": hidden, "flag": flag if hidden else None}


def _rows(item) -> list[dict]:
    frame = item.frame
    flags = (item.flags.reindex_like(frame) if item.spec.measure != "row_share"
             else item.flags.set_axis(frame.columns, axis=1))
    names = [str(n) for n in frame.index.names]
    rows = []
    for key in frame.index:
        parts = key if isinstance(key, tuple) else (key,)
        cells = []
        for column in frame.columns:
            flag = flags.at[key, column]
            cell = _cell(frame.at[key, column], None if pd.isna(flag) else str(flag))
            cells.append({"column": str(column), **cell})
        rows.append({"key": dict(zip(names, map(str, parts), strict=True)), "cells": cells})
    return rows


@bp.route("/releases/<int:release_id>/tables/<table_id>")
@operation(*ANALYSTS, scope="stats:read", ok={"HTTP_200": s.Table}, tags=("statistics",),
           operation_id="getTable")
def table(release_id: int, table_id: str):
    """One table or breakdown of a release: each cell's figure, or null and why it is hidden."""
    row = _release(release_id)
    item = stored_release(services.folder_of(row)).tables.get(table_id)
    if item is None:
        raise Problem(404, detail=_("No such table in this release."))
    audit.record("stats.table.viewed", account=current_user, object_type="stat_release",
                 object_id=row.id, details={"table": table_id, "api": True})
    db.session.commit()
    spec = item.spec
    return {"id": spec.id, "release_id": row.id, "title": spec.title, "measure": spec.measure,
            "breakdown_of": spec.breakdown_of, "row_dimensions": list(spec.rows),
            "column_dimension": spec.column, "withheld": item.withheld,
            "margin_95": getattr(item, "margin", None),
            "rows": [] if item.withheld is not None else _rows(item)}
