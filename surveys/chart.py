"""The response-rate chart: bar geometry for RR1 and RR2 per group, drawn by the template as
inline SVG. Plain numbers only; the axis always runs from 0 to 100 %."""
from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 200  # the group names, left of the bars
PLOT_WIDTH = 400  # 0 % to 100 %
VALUE_WIDTH = 110  # the figures, right of the bars
BAR_HEIGHT = 12
GROUP_GAP = 10
TOP = 24  # room for the legend
AXIS = 28  # room for the axis labels below
TICKS = (0, 25, 50, 75, 100)
MAX_LABEL = 28  # characters of a group name shown (the full name is in the table)


@dataclass
class ChartBar:
    label: str
    y: float
    rr1: float | None
    rr2: float | None

    @property
    def rr1_width(self) -> float:
        return round((self.rr1 or 0) * PLOT_WIDTH, 2)

    @property
    def rr2_width(self) -> float:
        return round((self.rr2 or 0) * PLOT_WIDTH, 2)


@dataclass
class Chart:
    bars: list[ChartBar]
    height: float
    width: int = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    plot_left: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    bar_height: int = BAR_HEIGHT
    top: int = TOP

    @property
    def ticks(self) -> list[tuple[int, float]]:
        """Each tick's percentage and its x position."""
        return [(tick, LABEL_WIDTH + PLOT_WIDTH * tick / 100) for tick in TICKS]

    @property
    def axis_y(self) -> float:
        return self.height - AXIS


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"


def rate_chart(groups: list[tuple[str, float | None, float | None]]) -> Chart:
    """Lay out two bars (RR1, RR2) per (label, rr1, rr2); rates are fractions of 1."""
    step = 2 * BAR_HEIGHT + GROUP_GAP
    bars = [ChartBar(_short(label), TOP + index * step, rr1, rr2)
            for index, (label, rr1, rr2) in enumerate(groups)]
    return Chart(bars, height=TOP + len(bars) * step + AXIS)
