from __future__ import annotations

import pytest

from scoring.reports.charts import AxisScale, BarChart, Series, axis_scale, layout_bar_chart
from scoring.reports.errors import ReportDataError


@pytest.mark.parametrize(
    ("max_value", "max_intervals", "top", "step"),
    [
        (0, 5, 1, 1),  # an empty chart still has an axis
        (1, 5, 1, 1),
        (4, 5, 4, 1),
        (5, 5, 5, 1),
        (6, 5, 6, 2),
        (7, 5, 8, 2),
        (10, 5, 10, 2),
        (11, 5, 15, 5),
        (17, 5, 20, 5),
        (25, 5, 25, 5),
        (26, 5, 30, 10),
        (95, 5, 100, 20),
        (100, 5, 100, 20),
        (101, 5, 150, 50),
        (1287, 5, 1500, 500),
        (21977, 5, 25000, 5000),
        (250001, 5, 300000, 100000),
        (7, 1, 10, 10),
        (7, 10, 7, 1),
        (19, 3, 20, 10),
    ],
)
def test_axis_scale(max_value: int, max_intervals: int, top: int, step: int) -> None:
    assert axis_scale(max_value, max_intervals) == AxisScale(top, step)


@pytest.mark.parametrize("max_value", [0, 1, 3, 9, 12, 49, 51, 999, 1001, 123456])
def test_axis_holds_the_value_in_at_most_five_round_steps(max_value: int) -> None:
    scale = axis_scale(max_value)
    assert scale.top >= max_value
    assert scale.top - scale.step < max(max_value, 1)  # the top is the first step at or above the value
    assert len(scale.ticks) - 1 <= 5
    assert str(scale.step).lstrip("125").strip("0") == ""  # 1, 2 or 5 times a power of ten
    assert scale.ticks[0] == 0 and scale.ticks[-1] == scale.top


@pytest.mark.parametrize(("max_value", "max_intervals"), [(-1, 5), (10, 0)])
def test_axis_scale_refuses_what_it_cannot_draw(max_value: int, max_intervals: int) -> None:
    with pytest.raises(ReportDataError):
        axis_scale(max_value, max_intervals)


@pytest.mark.parametrize(
    ("value", "top", "axis_length", "length"),
    [(0, 10, 200.0, 0.0), (5, 10, 200.0, 100.0), (10, 10, 200.0, 200.0), (1, 3, 90.0, 30.0)],
)
def test_bar_length_is_proportional(value: int, top: int, axis_length: float, length: float) -> None:
    assert AxisScale(top, 1).length(value, axis_length) == pytest.approx(length)


def test_layout_keeps_bars_inside_the_plot_and_in_category_order() -> None:
    chart = BarChart(
        "各类问题",
        ("开墙打洞", "违法建设", "地桩地锁"),
        (Series("发现", (12, 0, 5), "#d08c1a"), Series("整改", (9, 0, 4), "#2e7d32")),
        "件",
    )
    layout = layout_bar_chart(chart, 300.0, 200.0)
    plot = layout.plot
    assert layout.scale == AxisScale(15, 5)
    assert [b.value for b in layout.bars] == [12, 9, 0, 0, 5, 4]
    xs = [b.box.x for b in layout.bars]
    assert xs == sorted(xs)
    for bar in layout.bars:
        assert plot.x <= bar.box.x and bar.box.x + bar.box.width <= plot.x + plot.width
        assert bar.box.y == plot.y and bar.box.height <= plot.height
        assert bar.box.height == pytest.approx(plot.height * bar.value / 15)
    assert [t.value for t in layout.ticks] == [0, 5, 10, 15]
    assert layout.ticks[-1].y == pytest.approx(plot.y + plot.height)
    assert [label.text for label in layout.labels] == ["开墙打洞", "违法建设", "地桩地锁"]
    assert [item.name for item in layout.legend] == ["发现", "整改"]


def test_single_series_has_no_legend_and_an_empty_chart_has_no_bars() -> None:
    assert layout_bar_chart(BarChart("积分", ("7月",), (Series("积分", (3,), "#a31515"),), "分")).legend == ()
    empty = layout_bar_chart(BarChart("积分", (), (Series("积分", (), "#a31515"),), "分"))
    assert empty.bars == () and empty.scale == AxisScale(1, 1)


@pytest.mark.parametrize(
    "series",
    [(), (Series("发现", (1, 2), "#000000"),), (Series("发现", (-1,), "#000000"),)],
)
def test_bad_charts_are_refused(series: tuple[Series, ...]) -> None:
    with pytest.raises(ReportDataError):
        BarChart("各类问题", ("开墙打洞",), series, "件")
