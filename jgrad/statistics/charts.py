"""A table's chart in the current language (PNG and SVG), and the font it needs.

Japanese needs a font with Japanese glyphs.  One is looked for among the fonts matplotlib
knows (the ``matplotlib-fontja`` package brings IPAexGothic; system fonts such as Noto Sans
CJK JP or IPAexGothic are found too).  The SVG keeps its text as text (``svg.fonttype``
"none"), naming those families first, so a reader's browser draws it in its own Japanese
font whatever the server had.  A PNG has its glyphs drawn in: without a Japanese font on the
server, :func:`can_draw` is false for Japanese and the Japanese PNG is not written (the
pages then show the SVG; see docs/statistics.md).
"""
from __future__ import annotations

import importlib
import logging
import secrets
import textwrap
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
from flask_babel import gettext as _
from matplotlib import rc_context
from matplotlib.container import BarContainer
# The object-oriented API keeps no global figure state: charts drawn by two requests at
# once do not meet.
from matplotlib.figure import Figure

from jgrad.statistics import labels

#: Families with Japanese glyphs, most wanted first.
JAPANESE_FAMILIES = ("IPAexGothic", "Noto Sans CJK JP", "Noto Sans JP", "IPAGothic",
                     "TakaoGothic", "VL Gothic", "Hiragino Sans", "Yu Gothic", "Meiryo")


class _QuietFallbacks(logging.Filter):
    """Drop matplotlib's "font family not found" lines: the list names fonts for browsers."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Font family" not in record.getMessage()


logging.getLogger("matplotlib.font_manager").addFilter(_QuietFallbacks())


@lru_cache(maxsize=1)
def japanese_font() -> str | None:
    """Return a font family with Japanese glyphs that matplotlib can use, or None."""
    try:  # the package registers IPAexGothic with matplotlib when imported
        importlib.import_module("matplotlib_fontja")
    except ImportError:
        pass
    from matplotlib import font_manager

    known = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in JAPANESE_FAMILIES if family in known), None)


def can_draw(language: str, suffix: str) -> bool:
    """Whether a chart in ``language`` can be written as ``suffix`` (png or svg)."""
    return language != "ja" or suffix == "svg" or japanese_font() is not None


def _style(language: str) -> dict:
    found = japanese_font() if language == "ja" else None
    families = [*([found] if found else []), *(JAPANESE_FAMILIES if language == "ja" else ()),
                "DejaVu Sans", "sans-serif"]
    return {"font.family": families, "svg.fonttype": "none"}


def _flat_index(frame) -> list[str]:
    if hasattr(frame.index, "levels"):
        return [" / ".join(map(str, key)) for key in frame.index]
    return [str(key) for key in frame.index]


def _wrapped(text: str, language: str, width_inches: float) -> str:
    """Break a title into lines that fit the figure (Japanese runs on without spaces)."""
    per_line = int(width_inches * (6 if language == "ja" else 11))
    if language == "ja":
        return "\n".join(text[i:i + per_line] for i in range(0, len(text), per_line))
    return "\n".join(textwrap.wrap(text, per_line)) or text


def compose(table, data, language: str, rounding_base: int | None) -> Figure:
    """Return ``data`` (the table's labelled published figures) drawn as grouped bars.

    Call within the language's style (:func:`draw` does).  Readable with few categories as
    with many: category names stay level unless there are many or they are long, each bar
    carries its figure when there are few, the title is wrapped to the figure's width and
    the legend sits beside the plot, inside the figure.  Hidden cells are left out.
    """
    share = table.spec.measure == "row_share"
    width = max(6.0, 0.5 * len(data) + 4)
    figure = Figure(figsize=(width, 4.5))
    axes = figure.subplots()
    if data.empty or data.isna().all().all():
        axes.text(0.5, 0.5, _("No figures can be published for this table."),
                  ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
    else:
        plotted = data.copy()
        plotted.index = _flat_index(data)
        # A private release's counts carry noise: each bar shows its 95 % margin (no count
        # is below zero, so neither is a margin).
        margin = getattr(table, "margin", None) if not share else None
        errors = {}
        if margin:
            values = np.nan_to_num(plotted.to_numpy(dtype=float).T)
            below = np.minimum(values, margin)
            errors = {"yerr": np.stack([below, np.full_like(values, margin)], axis=1),
                      "capsize": 2, "error_kw": {"elinewidth": 0.8}}
        plotted.plot(kind="bar", ax=axes, width=0.8 if len(plotted) > 1 else 0.5,
                     legend=len(plotted.columns) > 1, **errors)
        axes.set_xlabel(" / ".join(str(n) for n in data.index.names if n))
        axes.set_ylabel(_("Share of the row (percent)") if share else
                        _("people (rounded to a multiple of %(base)s)",
                          base=rounding_base) if rounding_base else _("people"))
        longest = max(len(str(name)) for name in plotted.index)
        level = len(plotted) * longest * (2 if language == "ja" else 1) <= 10 * width
        axes.tick_params(axis="x", labelrotation=0 if level else 45, labelsize=8)
        if not level:
            for label in axes.get_xticklabels():
                label.set_horizontalalignment("right")
        if plotted.size <= 24:  # few bars: each one says its figure
            for bars in axes.containers:
                if isinstance(bars, BarContainer):  # not the margins' lines
                    axes.bar_label(bars, fmt="%g", fontsize=7, padding=2)
        if len(plotted.columns) > 1:
            axes.legend(fontsize=7, title=str(data.columns.name or ""), title_fontsize=7,
                        loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.set_title(_wrapped(labels.title(table.metadata()), language, width), fontsize=10)
    margin = getattr(table, "margin", None)
    figure.text(0.01, 0.01, _("Hidden cells are not drawn.") + (" " + _(
        "The lines on the bars show where the true count lies, 95 times in 100 (±%(margin)s).",
        margin=margin) if margin and not share else ""), fontsize=7, color="#555555")
    figure.tight_layout()
    return figure


def draw(table, data, path_stem: Path, language: str, rounding_base: int | None) -> list[Path]:
    """Draw ``data`` as :func:`compose` does into ``<stem>.png`` and ``<stem>.svg``.

    The PNG only when it can be drawn; returns the paths written.
    """
    with rc_context(_style(language)), warnings.catch_warnings():
        # Without a Japanese font the SVG's text is still right: the browser draws it.
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        figure = compose(table, data, language, rounding_base)
        written = []
        # Written aside and renamed, so a chart drawn on request is never seen half-written.
        # "tight" keeps a legend beside the plot inside the picture.
        for suffix, options in (("png", {"dpi": 110}), ("svg", {})):
            if not can_draw(language, suffix):
                continue
            target = path_stem.with_name(f"{path_stem.name}.{suffix}")  # ids may hold dots
            partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
            figure.savefig(partial, format=suffix, bbox_inches="tight", **options)
            partial.replace(target)
            written.append(target)
    return written
