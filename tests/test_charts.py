"""Charts people read: round ticks from 0 for counts and rates, units, series that stay apart, metric direction."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import check_at, write_archive

from generator.ledgers import charts
from generator.ledgers.compute import change_label, metric_direction

SVG = "{http://www.w3.org/2000/svg}"


def drawing(figure: str) -> ET.Element:
    found = re.search(r'<svg class="zhibu-chart".*?</svg>', figure)
    assert found
    return ET.fromstring(found.group(0))


def tick_labels(figure: str) -> list[str]:
    svg = drawing(figure)
    return [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"]


def test_count_axis_has_whole_ticks_from_zero() -> None:
    chart = charts.line_chart(
        "会议次数", ["1月", "2月", "3月"], [charts.Series("甲", [4, 6, 5])], charts.Axis(unit="次", integer=True)
    )
    assert tick_labels(chart) == ["0", "2", "4", "6"]
    assert "单位：次" in chart


def test_ticks_are_round_numbers() -> None:
    assert charts.ticks(86.54, 100) == [85, 90, 95, 100]
    assert charts.ticks(0, 1.62, integer=True) == [0, 1, 2]
    assert charts.ticks(1132, 1265) == [1100, 1150, 1200, 1250, 1300]
    assert charts.ticks(15.8, 17.5) == [15.5, 16, 16.5, 17, 17.5]


def test_rate_axis_runs_from_0_to_100_percent() -> None:
    chart = charts.line_chart("出席率", ["1月", "2月"], [charts.Series("全部", [86.5, 97.0])], charts.Axis(unit="%"))
    assert tick_labels(chart) == ["0%", "20%", "40%", "60%", "80%", "100%"]


def test_identical_series_differ_in_dash_and_the_legend_says_so() -> None:
    chart = charts.line_chart(
        "会议次数",
        ["1月", "2月"],
        [charts.Series("一支部", [4, 6]), charts.Series("二支部", [4, 6])],
        charts.Axis(integer=True),
    )
    lines = drawing(chart).iter(f"{SVG}polyline")
    strokes = {(line.get("stroke-dasharray"), line.get("stroke-width")) for line in lines}
    assert len(strokes) == 2
    assert '二支部<span class="zhibu-legend__note">（与一支部相同）' in chart


def test_lower_is_better_metrics() -> None:
    assert change_label(1180, 1265, "lower") == "下降 85（改善）"
    assert change_label(97.3, 96.2, "higher") == "上升 1.1（改善）"
    assert change_label(1300, 1265, "lower") == "上升 35（变差）"
    assert metric_direction("吨铜加工成本", [None, None]) == "lower"
    assert metric_direction("阳极炉吨铜天然气单耗", []) == "lower"
    assert metric_direction("转炉炉寿", [None]) == "higher"
    assert metric_direction("合格率", [None, "lower", None]) == "lower"  # one record says it for all


def test_direction_declared_once_applies_to_every_record(tmp_path: Path) -> None:
    def achievement(day: str, value: int, previous: int, better: str = "") -> str:
        return (
            f"title: 成果{day}\ncategory: 成本\ndate: {day}\norg: zb\nmetrics:\n  - name: 吨钢电量\n"
            f"    value: {value}\n    previous: {previous}\n" + (f"    better: {better}\n" if better else "")
        )

    files = {
        "achievements/a.yaml": achievement("2023-01-10", 410, 420, "lower"),
        "achievements/b.yaml": achievement("2023-03-10", 400, 410),
    }
    views = check_at(write_archive(tmp_path, files)).views
    assert [p.change for p in views.metrics["吨钢电量"]] == ["下降 10（改善）", "下降 10（改善）"]


def test_demo_cost_reduction_is_an_improvement(demo_site: Path) -> None:
    page = (demo_site / "ledgers" / "achievements" / "index.html").read_text(encoding="utf-8")
    assert "下降 85（改善）" in page and "提升" not in page
    assert "吨铜加工成本（越低越好）" in page
    record = (demo_site / "achievements" / "dj-chengben-2025" / "index.html").read_text(encoding="utf-8")
    assert "下降 85（改善）" in record


def test_a_phone_keeps_a_few_x_labels_none_past_the_edge() -> None:
    months = [f"{2024 + m // 12}.{m % 12 + 1:02d}" for m in range(23)]
    drawn = charts.x_labels(months)
    assert len(drawn) <= charts.MAX_LABELS
    kept = [i for i, phone in drawn if phone]
    assert 2 <= len(kept) <= charts.PHONE_LABELS
    svg = charts.line_chart("t", months, [charts.Series("a", [1.0] * 23)], charts.Axis())
    assert svg.count("zhibu-axis--minor") == len(drawn) - len(kept)
    # a long last label near the right edge is dropped on a phone rather than cut off
    assert charts.x_labels(["2025年12月"] * 13)[-1] == (12, False)
