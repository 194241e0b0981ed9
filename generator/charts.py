"""Small SVG charts written at build time: no JavaScript, no outside host.

Colours come from CSS classes (zhibu-s0 ... zhibu-s7) and text uses
currentColor, so the charts follow Material's light and dark palettes and the
site's Chinese font. Every point carries a <title> for hover.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 64
SERIES = 8


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # one per x label; None leaves a gap


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _scale(series: list[Series], zero: bool) -> tuple[float, float]:
    values = [v for s in series for v in s.values if v is not None]
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if zero:
        low = min(low, 0.0)
    if high == low:
        high = low + 1
    pad = (high - low) * 0.08
    return (low if zero else low - pad), high + pad


def _frame(title: str, labels: list[str], low: float, high: float, fmt: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="zhibu-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{_e(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(title)}</title>",
    ]
    for i in range(5):
        value = low + (high - low) * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line class="zhibu-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(_text(LEFT - 6, y + 4, fmt.format(value), "end"))
    step = max(1, -(-len(labels) // 12))
    for i, label in enumerate(labels):
        if i % step == 0:
            x = _x(i, len(labels))
            parts.append(_text(x, TOP + plot_h + 16, label, "middle"))
    return parts


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return f'<text class="zhibu-axis" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{_e(text)}</text>'


def _x(i: int, count: int) -> float:
    plot_w = WIDTH - LEFT - RIGHT
    return LEFT + (plot_w * (i + 0.5) / count if count else 0)


def _y(value: float, low: float, high: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h - plot_h * (value - low) / (high - low)


def _legend(series: list[Series]) -> list[str]:
    parts, x = [], LEFT
    y = HEIGHT - 18
    for i, s in enumerate(series):
        parts.append(f'<rect class="zhibu-s{i % SERIES}" x="{x}" y="{y - 9}" width="10" height="10"/>')
        parts.append(_text(x + 14, y, s.name))
        x += 28 + 13 * len(s.name)
    return parts


def line_chart(title: str, labels: list[str], series: list[Series], fmt: str = "{:.4g}", zero: bool = False) -> str:
    low, high = _scale(series, zero)
    parts = _frame(title, labels, low, high, fmt)
    for i, s in enumerate(series):
        points = [(_x(j, len(labels)), _y(v, low, high), v, labels[j]) for j, v in enumerate(s.values) if v is not None]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        parts.append(f'<polyline class="zhibu-line zhibu-s{i % SERIES}" points="{path}"/>')
        for x, y, v, label in points:
            parts.append(
                f'<circle class="zhibu-s{i % SERIES}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                f"<title>{_e(s.name)} {_e(label)}：{_e(fmt.format(v))}</title></circle>"
            )
    parts += _legend(series)
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, labels: list[str], series: list[Series], fmt: str = "{:.4g}") -> str:
    """Stacked bars, one stack per label."""
    totals = [sum(s.values[j] or 0 for s in series) for j in range(len(labels))]
    low, high = _scale([Series("", [float(t) for t in totals])], zero=True)
    parts = _frame(title, labels, low, high, fmt)
    width = (WIDTH - LEFT - RIGHT) / max(1, len(labels)) * 0.6
    for j, label in enumerate(labels):
        base = 0.0
        for i, s in enumerate(series):
            value = s.values[j] or 0
            if not value:
                continue
            top, bottom = _y(base + value, low, high), _y(base, low, high)
            parts.append(
                f'<rect class="zhibu-s{i % SERIES}" x="{_x(j, len(labels)) - width / 2:.1f}" y="{top:.1f}" '
                f'width="{width:.1f}" height="{bottom - top:.1f}"><title>{_e(label)} {_e(s.name)}：'
                f"{_e(fmt.format(value))}</title></rect>"
            )
            base += value
    parts += _legend(series)
    parts.append("</svg>")
    return "".join(parts)
