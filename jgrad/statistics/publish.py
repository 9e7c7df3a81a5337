"""Write a release to files: CSV and XLSX per table, a JSON metadata file, a chart per table."""
from __future__ import annotations

import json
import pickle
import secrets
from pathlib import Path

import pandas as pd
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
# The object-oriented API keeps no global figure state: charts drawn by two requests at
# once do not meet.
from matplotlib.figure import Figure

from jgrad import exports
from jgrad.statistics import labels

FORMATS = ("csv", "xlsx", "png", "svg")
CHARTS = ("png", "svg")


def _code_labels() -> dict[str, dict]:
    from jgrad.registrants import codes

    return {"field": codes.FIELD, "status": codes.ENROLMENT_STATUS, "sector": codes.SECTOR,
            "sex": codes.SEX, "employment_term": codes.EMPLOYMENT_TERM,
            # The extract top-codes income: 10-15 million and above are one band.
            "income_band": {**codes.INCOME_BAND, ">=10m": _l("10 million yen or more")}}


def labelled(frame: pd.DataFrame, texts: dict | None = None) -> pd.DataFrame:
    """Replace classification codes in a table's headings by their names.

    ``texts`` are the names a table brings with it (a survey's questions and answers).
    """
    names = _code_labels()

    def rename(value, dimension):
        own = labels.own_text(texts, "values", str(dimension), str(value))
        if own:
            return own
        mapping = names.get(dimension)
        if mapping and value in mapping:
            return str(mapping[value])
        return str(labels.VALUES[value]) if value in labels.VALUES else value

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
    texts = getattr(table.spec, "texts", None)  # releases pickled before had none
    return texts.to_dict() if texts is not None else None


def display_frame(table) -> pd.DataFrame:
    """Return a table as printed: values, with hidden cells shown by their flag."""
    values = table.frame.astype(object)
    flags = table.flags.reindex_like(values) if table.spec.measure != "row_share" else \
        table.flags.set_axis(values.columns, axis=1)
    shown = values.where(flags.eq("") | flags.isna(), flags)
    return labelled(shown.where(shown.notna(), "-"), texts_of(table))


def _flat_index(frame: pd.DataFrame) -> list[str]:
    if isinstance(frame.index, pd.MultiIndex):
        return [" / ".join(map(str, key)) for key in frame.index]
    return [str(key) for key in frame.index]


def chart(table, path_stem: Path) -> None:
    """Draw the table's published figures as grouped bars (hidden cells left out)."""
    frame = table.frame
    share = table.spec.measure == "row_share"
    data = frame.drop(columns=[c for c in frame.columns if str(c) in ("n", "Total")])
    data = data.drop(index=[i for i in data.index if "Total" in (i if isinstance(i, tuple)
                                                                   else (i,))])
    data = labelled(data.astype("float64"), texts_of(table))
    figure = Figure(figsize=(max(6.0, 0.5 * len(data) + 4), 4.5))
    axes = figure.subplots()
    if data.empty or data.isna().all().all():
        axes.text(0.5, 0.5, "No figures can be published for this table.",
                  ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
    else:
        plotted = data.copy()
        plotted.index = _flat_index(data)
        plotted.plot(kind="bar", ax=axes, width=0.8, legend=len(plotted.columns) > 1)
        axes.set_ylabel("% of row" if share else "people (rounded to 5)")
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
        if len(plotted.columns) > 1:
            axes.legend(fontsize=7, title=str(data.columns.name or ""), title_fontsize=7,
                        loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.set_title(labels.title(table.metadata()), fontsize=10)
    figure.text(0.01, 0.01, "Hidden cells are not drawn.", fontsize=7, color="#555555")
    figure.tight_layout()
    # Written aside and renamed, so a chart drawn on request is never seen half-written.
    for suffix, options in ((".png", {"dpi": 110}), (".svg", {})):
        target = path_stem.with_name(path_stem.name + suffix)  # ids may hold dots
        partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
        figure.savefig(partial, format=suffix[1:], **options)
        partial.replace(target)


def write_release(release, folder: Path, progress=None) -> dict:
    """Write every table and the metadata into ``folder``; return the metadata written.

    Charts of catalogue tables are drawn now; a breakdown's or a survey table's chart
    (there are dozens, at half a second each) is drawn the first time it is asked for
    (:func:`chart_file`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    metadata = release.to_dict()
    tables = list(release.tables.values())
    for number, table in enumerate(tables, start=1):
        if table.withheld is None:
            # Headings carry university names: no text cell may run as a formula.
            shown = exports.neutralise_frame(display_frame(table))
            shown.to_csv(folder / f"{table.spec.id}.csv", encoding="utf-8-sig")
            own_note = labels.own_text(texts_of(table), "note")
            notes = [labels.title(table.metadata()), *([own_note] if own_note else []),
                     *metadata["notes"],
                     *(f"{k} = {v}" for k, v in metadata["flags"].items())]
            with pd.ExcelWriter(folder / f"{table.spec.id}.xlsx", engine="openpyxl") as writer:
                shown.to_excel(writer, sheet_name="table")
                exports.neutralise_frame(pd.DataFrame({"note": notes})).to_excel(
                    writer, sheet_name="notes", index=False)
            if table.spec.breakdown_of is None and getattr(table.spec, "source", None) is None:
                chart(table, folder / table.spec.id)
        if progress:
            progress(number, len(tables), table.spec.id)
    (folder / "release.json").write_text(json.dumps(metadata, ensure_ascii=False, indent=2),
                                         encoding="utf-8")
    # The next release of the series is built against this one (see stats.release).
    with open(folder / "release.pickle", "wb") as handle:
        pickle.dump(release, handle)
    return metadata


def read_release(folder: Path):
    """Load a release written by ``write_release`` (files the app wrote itself)."""
    with open(folder / "release.pickle", "rb") as handle:
        return pickle.load(handle)


def chart_file(folder: Path, table_id: str, suffix: str) -> Path | None:
    """Return a published table's chart file, drawing it first if it was not drawn yet."""
    path = folder / f"{table_id}.{suffix}"
    if not path.exists():
        table = read_release(folder).tables.get(table_id)
        if table is None or table.withheld is not None:
            return None
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # as the others
            chart(table, folder / table_id)
    return path
