"""The analysts' pages: releases, their tables and charts, and audited downloads."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user

from jgrad.access import guard
from jgrad.accounts.models import Role
from jgrad.audit import services as audit
from jgrad.extensions import db
from jgrad.statistics import charts, labels, services, texts
from jgrad.statistics.models import StatRelease
from jgrad.statistics.publish import code_labels, display_frame, stored_release, value_name

bp = Blueprint("statistics", __name__, url_prefix="/stats")
guard(bp, Role.ANALYST, Role.ADMIN)
bp.add_app_template_filter(labels.dimension, "stats_dimension")
bp.add_app_template_filter(labels.title, "stats_title")
bp.add_app_template_filter(texts.rule, "stats_rule")
bp.add_app_template_filter(texts.rule_value, "stats_rule_value")
bp.add_app_template_filter(texts.withheld, "stats_withheld")
bp.add_app_template_filter(texts.sign, "stats_sign")


def _release(release_id: int) -> StatRelease:
    return db.session.get(StatRelease, release_id) or abort(404)


@bp.route("/")
def releases():
    rows = db.session.scalars(sa.select(StatRelease).order_by(StatRelease.id.desc())).all()
    return render_template("statistics/releases.html", releases=rows)


def _merged(meta: dict) -> list[tuple[str, str, list[str]]]:
    """Return the categories a release merged: (dimension, merged category, its members),
    in the reader's language (none in releases made before categories were merged)."""
    names = code_labels()
    return [(labels.dimension(dim), value_name(label, dim, names),
             [value_name(member, dim, names) for member in members])
            for dim, groups in meta.get("aggregation", {}).items()
            for label, members in groups.items()]


def _families(meta: dict) -> list[tuple[dict, list[dict]]]:
    """Return each catalogue table's metadata with the metadata of its breakdowns."""
    tables = meta["tables"]
    return [(t, [b for b in tables if b.get("breakdown_of") == t["id"]])
            for t in tables if t.get("breakdown_of") is None and not t.get("source")]


def _surveys(meta: dict) -> list[tuple[str, dict, list[dict]]]:
    """Return each contributing survey's title for the reader, metadata and tables."""
    language = labels.language()
    return [(survey[f"title_{language}"] or survey["title_en"], survey,
             [t for t in meta["tables"]
              if t.get("source") == f"survey:{survey['slug']}:v{survey['version']}"])
            for survey in meta.get("surveys", ())]


@bp.route("/<int:release_id>")
def release(release_id: int):
    row = _release(release_id)
    return render_template("statistics/release.html", release=row, meta=row.meta,
                           families=_families(row.meta), surveys=_surveys(row.meta),
                           files=_files(row), signs=texts.signs(row.meta["flags"]),
                           notes=[texts.note(n) for n in row.meta["notes"]],
                           merged=_merged(row.meta))


def _files(row: StatRelease) -> list[tuple[str | None, str]]:
    """Return the languages to offer a release's files in, the reader's first, with the
    name of each; one unnamed entry for a release stored before files had languages."""
    written_in = services.languages(row)
    if not written_in:
        return [(None, "")]
    reader = labels.language()
    names = {"en": "English", "ja": "日本語"}  # each language in its own words
    return [(language, names.get(language, language))
            for language in sorted(written_in, key=lambda lang: lang != reader)]


@bp.route("/<int:release_id>/tables/<table_id>")
def table(release_id: int, table_id: str):
    row = _release(release_id)
    stored = stored_release(services.folder_of(row))
    item = stored.tables.get(table_id) or abort(404)
    shown = display_frame(item) if item.withheld is None else None
    audit.record("stats.table.viewed", account=current_user, object_type="stat_release",
                 object_id=row.id, details={"table": table_id})
    db.session.commit()
    base_id = item.spec.breakdown_of or item.spec.id
    family = next((f for f in _families(row.meta) if f[0]["id"] == base_id),
                  (item.metadata(), []))  # a survey's table has no breakdowns
    own_note = labels.own_text(family[0].get("texts"), "note")
    return render_template("statistics/table.html", release=row, table=item, shown=shown,
                           heading=labels.title(item.metadata()), family=family,
                           flags=texts.signs(row.meta["flags"]), files=_files(row),
                           chart=_chart_suffix(row), margin=getattr(item, "margin", None),
                           notes=[*([own_note] if own_note else []),
                                  *([texts.margin(item.margin)]
                                    if getattr(item, "margin", None) else []),
                                  *(texts.note(n) for n in row.meta["notes"])])


def _chart_suffix(row: StatRelease) -> str:
    """The chart a page shows: the PNG, or the SVG where the PNG cannot be in the reader's
    language (no Japanese font on the server; the browser draws the SVG's text)."""
    language = labels.language()
    if language in services.languages(row) and not charts.can_draw(language, "png"):
        return "svg"
    return "png"


@bp.route("/<int:release_id>/files/<name>")
def download(release_id: int, name: str):
    """A release file in the reader's language (as written, for releases stored before)."""
    row = _release(release_id)
    language = labels.language() if services.languages(row) else None
    return _send(row, name, language)


@bp.route("/<int:release_id>/files/<language>/<name>")
def download_in(release_id: int, language: str, name: str):
    """A release file in the language asked for."""
    row = _release(release_id)
    if language not in services.languages(row):
        abort(404)
    return _send(row, name, language)


def _send(row: StatRelease, name: str, language: str | None):
    path = services.file_path(row, name, language) or abort(404)
    audit.record("stats.downloaded", account=current_user, object_type="stat_release",
                 object_id=row.id, details={"file": name, "language": language})
    db.session.commit()
    inline = path.suffix in (".png", ".svg")
    stem, _, suffix = name.rpartition(".")
    # The language is in the name a reader saves: both versions can sit side by side.
    download_name = f"{stem}_{language}.{suffix}" if language else name
    return send_file(path, as_attachment=not inline, download_name=download_name, max_age=0)
