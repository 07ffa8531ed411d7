"""Bar charts as geometry: an axis scale, and a layout both the SVG and the PDF renderers draw.

Coordinates are points with the origin at the bottom left (PDF's convention); the SVG renderer
flips them. Scales are integers (points and case counts are integers), so an axis never reads
"2.5 件" and the same data always lays out the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from scoring.reports.errors import ReportDataError

CHART_WIDTH_PT: Final = 480.0
CHART_HEIGHT_PT: Final = 220.0
MAX_INTERVALS: Final = 5
_NICE_MANTISSAS: Final = (1, 2, 5)

# Room for the title above, tick labels to the left, category labels below; the legend sits in the
# title band on the right.
_MARGIN_TOP_PT: Final = 30.0
_MARGIN_BOTTOM_PT: Final = 28.0
_MARGIN_LEFT_PT: Final = 44.0
_MARGIN_RIGHT_PT: Final = 12.0
# Bars take this share of their category's slot; the rest is the gap between groups.
_GROUP_SHARE: Final = 0.6
LEGEND_ITEM_WIDTH_PT: Final = 64.0


@dataclass(frozen=True, slots=True)
class AxisScale:
    """A value axis from 0 to `top` in steps of `step` (1, 2 or 5 times a power of ten)."""

    top: int
    step: int

    @property
    def ticks(self) -> tuple[int, ...]:
        return tuple(range(0, self.top + 1, self.step))

    def length(self, value: int, axis_length: float) -> float:
        """How long a bar of `value` is on an axis `axis_length` long."""
        return axis_length * value / self.top


def axis_scale(max_value: int, max_intervals: int = MAX_INTERVALS) -> AxisScale:
    """The smallest round axis that holds `max_value` in at most `max_intervals` steps.

    The step is the least of 1, 2, 5, 10, 20, 50, ... with step × max_intervals ≥ max_value; the top
    is the first multiple of the step at or above max_value. An empty chart still gets a 0..1 axis.
    """
    if max_value < 0:
        raise ReportDataError(f"a bar chart shows counts, got {max_value}")
    if max_intervals < 1:
        raise ReportDataError(f"an axis needs at least one interval, got {max_intervals}")
    if max_value == 0:
        return AxisScale(top=1, step=1)
    least_step = -(-max_value // max_intervals)
    power = 1
    while True:
        for mantissa in _NICE_MANTISSAS:
            step = mantissa * power
            if step >= least_step:
                return AxisScale(top=-(-max_value // step) * step, step=step)
        power *= 10


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[int, ...]
    colour: str  # "#rrggbb"


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str  # "分", "件"

    def __post_init__(self) -> None:
        if not self.series:
            raise ReportDataError(f"chart {self.title!r} has no series")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ReportDataError(
                    f"chart {self.title!r}: series {s.name!r} has {len(s.values)} values for "
                    f"{len(self.categories)} categories"
                )
            if any(v < 0 for v in s.values):
                raise ReportDataError(f"chart {self.title!r}: series {s.name!r} has a negative value")


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Bar:
    box: Box
    value: int
    colour: str


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True, slots=True)
class Label:
    x: float  # centre
    text: str


@dataclass(frozen=True, slots=True)
class LegendItem:
    x: float  # left edge of the swatch
    name: str
    colour: str


@dataclass(frozen=True, slots=True)
class ChartLayout:
    title: str
    unit: str
    width: float
    height: float
    plot: Box
    scale: AxisScale
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    labels: tuple[Label, ...]
    legend: tuple[LegendItem, ...]



def layout_bar_chart(chart: BarChart, width: float = CHART_WIDTH_PT, height: float = CHART_HEIGHT_PT) -> ChartLayout:
    plot = Box(
        _MARGIN_LEFT_PT,
        _MARGIN_BOTTOM_PT,
        width - _MARGIN_LEFT_PT - _MARGIN_RIGHT_PT,
        height - _MARGIN_TOP_PT - _MARGIN_BOTTOM_PT,
    )
    scale = axis_scale(max((v for s in chart.series for v in s.values), default=0))
    ticks = tuple(Tick(plot.y + scale.length(v, plot.height), v) for v in scale.ticks)

    n = len(chart.categories)
    slot = plot.width / n if n else plot.width
    group = slot * _GROUP_SHARE
    bar_width = group / len(chart.series)
    bars: list[Bar] = []
    labels: list[Label] = []
    for i, category in enumerate(chart.categories):
        group_x = plot.x + i * slot + (slot - group) / 2
        labels.append(Label(plot.x + i * slot + slot / 2, category))
        for j, s in enumerate(chart.series):
            value = s.values[i]
            box = Box(group_x + j * bar_width, plot.y, bar_width, scale.length(value, plot.height))
            bars.append(Bar(box, value, s.colour))

    legend: tuple[LegendItem, ...] = ()
    if len(chart.series) > 1:
        first_x = width - _MARGIN_RIGHT_PT - LEGEND_ITEM_WIDTH_PT * len(chart.series)
        legend = tuple(
            LegendItem(first_x + k * LEGEND_ITEM_WIDTH_PT, s.name, s.colour) for k, s in enumerate(chart.series)
        )
    return ChartLayout(chart.title, chart.unit, width, height, plot, scale, tuple(bars), ticks, tuple(labels), legend)
