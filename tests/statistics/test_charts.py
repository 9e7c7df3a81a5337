"""Charts read well with one category as with many, in English and Japanese: nothing is cut
off at the picture's edge, category names stay level when there is room, few bars carry
their figures."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from flask_babel import force_locale
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg

from jgrad.statistics import charts

LONG = "sector_by_field_years_since"  # the catalogue's longest title


def _table(measure="count", table_id=LONG):
    spec = SimpleNamespace(measure=measure)
    meta = {"id": table_id, "title": "Doctorate holders in work by employment sector, field "
                                       "and years since degree", "breakdown_of": None}
    return SimpleNamespace(spec=spec, metadata=lambda: meta)


def _data(rows: int, columns: int) -> pd.DataFrame:
    index = pd.Index([f"Category {i}" if rows > 1 else "Natural sciences"
                      for i in range(rows)], name="Field")
    return pd.DataFrame([[10.0 * (i + j + 1) for j in range(columns)] for i in range(rows)],
                        index=index, columns=pd.Index([f"Sector {j}" for j in range(columns)],
                                                      name="Sector"))


def _outside(figure) -> list[float]:
    """How far (pixels) what the figure draws reaches past each edge: title, labels, legend."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    drawn = figure.get_tightbbox(canvas.get_renderer()).transformed(figure.dpi_scale_trans)
    edge = figure.bbox
    return [round(x, 1) for x in (edge.x0 - drawn.x0, drawn.x1 - edge.x1,
                                  edge.y0 - drawn.y0, drawn.y1 - edge.y1) if x > 1]


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("rows,columns", [(1, 1), (1, 6), (2, 3), (14, 7)])
def test_nothing_is_cut_off_whatever_the_number_of_categories(app, language, rows, columns):
    with force_locale(language), rc_context(charts._style(language)):
        figure = charts.compose(_table(), _data(rows, columns), language, 5)
        assert not _outside(figure)
        if rows < 4 and language == "en":  # narrow: a long title is wrapped, not cut off
            assert "\n" in figure.axes[0].get_title()


def test_few_short_categories_stay_level_and_carry_their_figures(app):
    with force_locale("en"), rc_context(charts._style("en")):
        few = charts.compose(_table(), _data(2, 3), "en", 5)
        many = charts.compose(_table(), _data(14, 7), "en", 5)
    assert {t.get_rotation() for t in few.axes[0].get_xticklabels()} == {0.0}
    assert {t.get_rotation() for t in many.axes[0].get_xticklabels()} == {45.0}
    figures = [t.get_text() for t in few.axes[0].texts]
    assert sorted(figures) == ["10", "20", "20", "30", "30", "40"]  # every bar says its count
    assert not many.axes[0].texts  # 98 bars: labels would be noise


def test_a_chart_is_written_with_its_legend_inside_the_picture(app, tmp_path):
    with force_locale("en"):
        written = charts.draw(_table(), _data(1, 6), tmp_path / "chart", "en", 5)
    assert sorted(p.suffix for p in written) == [".png", ".svg"]
    svg = (tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert "Sector 5" in svg  # the last legend entry is in the picture


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_private_release_draws_each_counts_margin(app, language):
    """Counts with noise: each bar carries its 95 % margin, the footnote says what the lines
    are, and the axis does not claim a rounding the release did not do."""
    table = _table()
    table.margin = 20
    with app.test_request_context(), force_locale(language), \
            rc_context(charts._style(language)):
        figure = charts.compose(table, _data(3, 2), language, None)
        axes = figure.axes[0]
        errors = [c for c in axes.containers if type(c).__name__ == "ErrorbarContainer"]
        segments = [segment for c in errors for lines in c.lines[2]
                    for segment in lines.get_segments()]
        assert len(segments) == 6  # one line per bar: 3 rows x 2 columns
        # From the count less its margin (never below zero) to the count plus it.
        assert sorted(round(y0) for (_, y0), _ in segments) == [0, 0, 0, 10, 10, 20]
        assert sorted(round(y1) for _, (_, y1) in segments) == [30, 40, 40, 50, 50, 60]
        note = " ".join(text.get_text() for text in figure.texts)
        assert "±20" in note
        assert "rounded" not in axes.get_ylabel() and "丸め" not in axes.get_ylabel()
        assert not _outside(figure)
        plain = charts.compose(_table(), _data(3, 2), language, 5)
        assert "±" not in " ".join(text.get_text() for text in plain.texts)
