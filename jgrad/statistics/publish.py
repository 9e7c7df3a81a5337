"""Write a release to files: CSV and XLSX per table, a JSON metadata file, a chart per table."""
from __future__ import annotations

import json
import pickle
import threading
from collections import OrderedDict
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from jgrad import exports
from jgrad.extensions import db
from jgrad.statistics import charts, labels, texts

FORMATS = ("csv", "xlsx", "png", "svg")
CHARTS = ("png", "svg")
#: Every file of a release is written in each of these, into a folder of its own.
LANGUAGES = ("en", "ja")


def code_labels() -> dict[str, dict]:
    """Return each coded dimension's names in the reader's language (one query for the
    universities': read it once per page or file, not per value)."""
    from jgrad.registrants import codes

    language = labels.language()
    return {"field": codes.FIELD, "status": codes.ENROLMENT_STATUS, "sector": codes.SECTOR,
            "sex": codes.SEX, "employment_term": codes.EMPLOYMENT_TERM,
            # The extract top-codes income: 10-15 million and above are one band.
            "income_band": {**codes.INCOME_BAND, ">=10m": _l("10 million yen or more")},
            "nationality_group": codes.country_names(language),
            "university_group": _university_names(language)}


def _university_names(language: str) -> dict[str, str]:
    """Return each university's name in ``language`` by the English name the extract has."""
    if language == "en":
        return {}
    from jgrad.universities.models import University

    return dict(db.session.execute(sa.select(University.name_en, University.name_ja)).all())


def value_name(value, dimension: str, names: dict | None = None) -> str:
    """Return a category of ``dimension`` by its name in the reader's language."""
    mapping = (code_labels() if names is None else names).get(dimension)
    if mapping and value in mapping:
        return str(mapping[value])
    return labels.value(value) if isinstance(value, str) else value


def labelled(frame: pd.DataFrame, texts: dict | None = None) -> pd.DataFrame:
    """Replace classification codes in a table's headings by their names.

    ``texts`` are the names a table brings with it (a survey's questions and answers).
    """
    names = code_labels()

    def rename(value, dimension):
        own = labels.own_text(texts, "values", str(dimension), str(value))
        if own:
            return own
        return value_name(value, dimension, names)

    def heading(name):
        return labels.own_text(texts, "dimensions", str(name)) or labels.dimension(name)

    frame = frame.copy()
    headings = [heading(name) for name in frame.index.names]
    if isinstance(frame.index, pd.MultiIndex):
        frame.index = pd.MultiIndex.from_tuples(
            [tuple(rename(v, d) for v, d in zip(key, frame.index.names, strict=True))
             for key in frame.index], names=headings)
    else:
        frame.index = pd.Index([rename(v, frame.index.name) for v in frame.index],
                               name=headings[0])
    frame.columns = pd.Index([rename(v, frame.columns.name) for v in frame.columns],
                             name=heading(frame.columns.name))
    return frame


def texts_of(table) -> dict | None:
    """Return the names a table brings with it (None for the fixed catalogue's tables)."""
    own = getattr(table.spec, "texts", None)  # releases pickled before had none
    return own.to_dict() if own is not None else None


def _with_signs(table) -> pd.DataFrame:
    """Return a table's published values with hidden cells shown by their sign (codes)."""
    values = table.frame.astype(object)
    flags = table.flags.reindex_like(values) if table.spec.measure != "row_share" else \
        table.flags.set_axis(values.columns, axis=1)
    shown = values.where(flags.eq("") | flags.isna(), flags)
    return shown.where(shown.notna(), "-")


def display_frame(table) -> pd.DataFrame:
    """Return a table as printed: values, with hidden cells shown by their flag."""
    return labelled(_with_signs(table), texts_of(table))


def _chart_data(table) -> pd.DataFrame:
    """Return the figures a chart draws (codes): no totals, hidden cells missing."""
    frame = table.frame
    data = frame.drop(columns=[c for c in frame.columns if str(c) in ("n", "Total")])
    return data.drop(index=[i for i in data.index if "Total" in (i if isinstance(i, tuple)
                                                                   else (i,))])


def chart(table, path_stem: Path, language: str = "en", rounding_base: int | None = None,
          data: pd.DataFrame | None = None) -> list[Path]:
    """Draw the table's published figures as grouped bars in ``language``."""
    data = _chart_data(table) if data is None else data
    with force_locale(language):
        return charts.draw(table, labelled(data.astype("float64"), texts_of(table)),
                           path_stem, language, rounding_base)


def rounded_to(release) -> int | None:
    """Return the base counts were rounded to; None when not rounded (a private release)."""
    base = release.rules.rounding_base
    return base if base > 1 else None


def _notes(table, metadata: dict) -> list[str]:
    """Return the notes sheet of a table's XLSX, in the current language."""
    own_note = labels.own_text(texts_of(table), "note")
    signs = texts.signs(metadata["flags"])
    margin = texts.margin(getattr(table, "margin", None))
    return [labels.title(table.metadata()), *([own_note] if own_note else []),
            *([margin] if margin else []), *(texts.note(n) for n in metadata["notes"]),
            *(f"{code} = {meaning}" for code, meaning in signs.items())]


def _write_table(table, shown: pd.DataFrame, folder: Path, metadata: dict) -> None:
    """Write one table's CSV and XLSX into ``folder``, in the current language."""
    # Headings carry university names: no text cell may run as a formula.
    shown = exports.neutralise_frame(labelled(shown, texts_of(table)))
    shown.to_csv(folder / f"{table.spec.id}.csv", encoding="utf-8-sig")
    notes = pd.DataFrame({_("Notes"): _notes(table, metadata)})
    with pd.ExcelWriter(folder / f"{table.spec.id}.xlsx", engine="openpyxl") as writer:
        # The sheets are named in the file's language too: the table first, then notes.
        shown.to_excel(writer, sheet_name=_("Table"))
        exports.neutralise_frame(notes).to_excel(writer, sheet_name=_("Notes"), index=False)


def write_release(release, folder: Path, progress=None) -> dict:
    """Write every table and the metadata into ``folder``; return the metadata written.

    Every file is written once per language, into ``folder/<language>/`` under the same
    name (``<table id>.csv``, ``.xlsx``, ``release.json``); the tables are computed once and
    only their words differ.  No chart is drawn here: a chart (``.png``, ``.svg``) is drawn
    the first time it is asked for (:func:`chart_file`), and :func:`draw_charts` draws the
    catalogue's ahead, once the release is stored -- drawing them all took longer than
    building the release itself.
    """
    metadata = {**release.to_dict(), "languages": list(LANGUAGES)}
    for language in LANGUAGES:
        (folder / language).mkdir(parents=True, exist_ok=True)
    tables = list(release.tables.values())
    for number, table in enumerate(tables, start=1):
        if table.withheld is None:
            shown = _with_signs(table)
            for language in LANGUAGES:
                with force_locale(language):
                    _write_table(table, shown, folder / language, metadata)
        if progress:
            progress(number, len(tables), table.spec.id)
    for language in LANGUAGES:
        with force_locale(language):
            words = texts.metadata(metadata)
        (folder / language / "release.json").write_text(
            json.dumps(words, ensure_ascii=False, indent=2), encoding="utf-8")
    # The next release of the series is built against this one (see stats.release).
    with open(folder / "release.pickle", "wb") as handle:
        pickle.dump(release, handle)
    return metadata


def draw_charts(release, folder: Path, language: str | None = None) -> int:
    """Draw the charts of the catalogue's tables not drawn yet; return how many were drawn.

    In ``language`` (default: the site's); a breakdown's or a survey table's chart, or one
    in another language, waits until it is asked for.  Each file is written aside and
    renamed (:func:`charts.draw`), so a page drawing the same chart at once does no harm.
    """
    default = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    language = default if default in LANGUAGES else LANGUAGES[0]
    base, drawn = rounded_to(release), 0
    for table in release.tables.values():
        if table.withheld is not None or table.spec.breakdown_of is not None \
                or getattr(table.spec, "source", None) is not None:
            continue
        stem = folder / language / table.spec.id
        if not all(stem.with_name(f"{stem.name}.{suffix}").exists()
                   for suffix in CHARTS if charts.can_draw(language, suffix)):
            chart(table, stem, language, base)
            drawn += 1
    return drawn


def read_release(folder: Path):
    """Load a release written by ``write_release`` (files the app wrote itself)."""
    with open(folder / "release.pickle", "rb") as handle:
        return pickle.load(handle)


_STORED: "OrderedDict[tuple, object]" = OrderedDict()
_STORED_LOCK = threading.Lock()
STORED_KEPT = 4


def stored_release(folder: Path):
    """``read_release`` for the pages: the last few releases read stay in memory.

    A stored release never changes (a new one gets a folder of its own), so a page of one
    table need not unpickle every table of the release again; the file's size and time are
    part of the key all the same. Callers must not change what they get.
    """
    path = folder / "release.pickle"
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _STORED_LOCK:
        if key in _STORED:
            _STORED.move_to_end(key)
            return _STORED[key]
    release = read_release(folder)
    with _STORED_LOCK:
        _STORED[key] = release
        while len(_STORED) > STORED_KEPT:
            _STORED.popitem(last=False)
    return release


def chart_file(folder: Path, table_id: str, suffix: str,
               language: str | None = None) -> Path | None:
    """Return a published table's chart file, drawing it first if it was not drawn yet.

    ``language`` None: a release stored before charts had languages (one folder).  A
    Japanese PNG that cannot be drawn here (no Japanese font) is the English one.
    """
    if language is not None and not charts.can_draw(language, suffix):
        language = "en"
    where = folder if language is None else folder / language
    path = where / f"{table_id}.{suffix}"
    if not path.exists():
        release = read_release(folder)
        table = release.tables.get(table_id)
        if table is None or table.withheld is not None:
            return None
        chart(table, where / table_id,
              language or current_app.config["BABEL_DEFAULT_LOCALE"],  # as the others
              rounded_to(release))
    return path
