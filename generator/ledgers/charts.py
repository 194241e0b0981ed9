"""Small SVG charts written at build time: no JavaScript, no outside host.

A chart is one line of HTML: a caption, the SVG and an HTML legend (the legend
stays readable when a phone scales the drawing down). Colours come from CSS
custom properties on the series classes (zhibu-s0 ... zhibu-s7), so the charts
follow Material's light and dark palettes; text uses currentColor and the
site's font. Series differ by colour, dash pattern and marker shape, so two
identical lines stay distinguishable, and the legend says which ones coincide.
Every point carries a <title> for hover.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 36, 30
MAX_LABELS = 12
# On a phone the drawing scales down to the screen and its text is drawn larger
# (zhibu.css), so only every few x labels stay: the others carry a "minor" class.
PHONE_LABELS, PHONE_FONT = 4, 26  # labels kept on a phone; their font size there (zhibu.css)
# (dash pattern, marker shape) per series; colours are in zhibu.css.
STYLES = (
    ("", "circle"),
    ("8 4", "square"),
    ("2 3", "triangle"),
    ("10 3 2 3", "diamond"),
    ("4 2", "circle"),
    ("1 4", "square"),
    ("12 4 4 4", "triangle"),
    ("6 2 1 2 1 2", "diamond"),
)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # one per x label; None leaves a gap


@dataclass(frozen=True)
class Axis:
    """The value axis: counts and rates start at 0; counts tick in whole numbers."""

    unit: str = ""
    zero: bool = True
    integer: bool = False


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def ticks(low: float, high: float, integer: bool = False) -> list[float]:
    """About five evenly spaced round values (1, 2, 2.5 or 5 times a power of ten) covering low..high."""
    if high <= low:
        high = low + 1
    raw = (high - low) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in steps if m * magnitude >= raw * (1 - 1e-9))
    if integer:
        step = max(1, round(step))
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    return [round(start + i * step, 10) for i in range(round((end - start) / step) + 1)]


def number(value: float) -> str:
    """A value as people write it: 12, 93.5, 0.25 (no 93.50000001)."""
    return f"{value:.10g}" if value != int(value) else str(int(value))


def _tick_labels(marks: list[float], unit: str) -> list[str]:
    """Tick labels with as many decimals as the step needs, all alike: 15.5, 16.0, 16.5."""
    decimals = next(d for d in range(6) if all(abs(round(v, d) - v) < 1e-9 for v in marks))
    return [f"{v:.{decimals}f}" + ("%" if unit == "%" else "") for v in marks]


def _x(i: int, count: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * (i + 0.5) / max(1, count)


def _y(value: float, low: float, high: float) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return TOP + plot - plot * (value - low) / (high - low)


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return f'<text class="zhibu-axis" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{_e(text)}</text>'


def _frame(title: str, labels: list[str], marks: list[float], axis: Axis) -> list[str]:
    low, high = marks[0], marks[-1]
    parts = [
        f'<svg class="zhibu-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{_e(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(title)}</title>",
    ]
    if axis.unit and axis.unit != "%":
        parts.append(_text(LEFT - 8, TOP - 12, f"单位：{axis.unit}", "start"))
    for value, tick in zip(marks, _tick_labels(marks, axis.unit), strict=True):
        y = _y(value, low, high)
        kind = "zhibu-axis-line" if value == 0 else "zhibu-grid"
        parts.append(f'<line class="{kind}" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(_text(LEFT - 8, y + 4, tick, "end"))
    for i, kept in x_labels(labels):
        x = _x(i, len(labels))
        text = _text(x, HEIGHT - BOTTOM + 20, labels[i], "middle")
        parts.append(text if kept else text.replace('"zhibu-axis"', '"zhibu-axis zhibu-axis--minor"', 1))
    return parts


def x_labels(labels: list[str]) -> list[tuple[int, bool]]:
    """Indexes of the x labels drawn, each with whether it stays on a phone.

    A phone keeps about PHONE_LABELS of them, none running past the right edge at its font size.
    """
    count = len(labels)
    every = max(1, -(-count // MAX_LABELS))
    phone = every * max(1, -(-count // (every * PHONE_LABELS)))
    return [(i, i % phone == 0 and _x(i, count) + _phone_width(labels[i]) / 2 <= WIDTH) for i in range(0, count, every)]


def _phone_width(label: str) -> float:
    """Rough drawn width of a label at the phone font size: Chinese characters are square, digits about half."""
    return sum(PHONE_FONT if ord(c) > 0x2E80 else PHONE_FONT * 0.6 for c in label)


def _marker(shape: str, x: float, y: float, inner: str = "") -> str:
    if shape == "circle":
        tag, geometry = "circle", f'cx="{x:.1f}" cy="{y:.1f}" r="3.5"'
    elif shape == "square":
        tag, geometry = "rect", f'x="{x - 3.2:.1f}" y="{y - 3.2:.1f}" width="6.4" height="6.4"'
    else:
        corners = {
            "triangle": ((0, -4.5), (4.2, 3), (-4.2, 3)),
            "diamond": ((0, -4.8), (4.2, 0), (0, 4.8), (-4.2, 0)),
        }[shape]
        tag, geometry = "polygon", 'points="' + " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in corners) + '"'
    return f'<{tag} class="zhibu-mark" {geometry}>{inner}</{tag}>'


def _legend(series: list[Series], lines: bool) -> str:
    if len(series) < 2:
        return ""  # the title names the only series
    items = []
    for i, s in enumerate(series):
        shape = STYLES[i % len(STYLES)][1]
        if lines:
            key = f'<line class="zhibu-line" x1="1" x2="35" y1="7" y2="7"{_stroke(i)}/>{_marker(shape, 18, 7)}'
        else:
            key = '<rect class="zhibu-bar" x="10" y="1" width="14" height="12"/>'
        same = lines and next((t.name for t in series[:i] if t.values == s.values), None)  # stacked bars never hide
        note = f'<span class="zhibu-legend__note">（与{_e(same)}相同）</span>' if same else ""
        items.append(
            f'<li class="zhibu-s{i % len(STYLES)}"><svg class="zhibu-key" viewBox="0 0 36 14" aria-hidden="true">'
            f"{key}</svg>{_e(s.name)}{note}</li>"
        )
    return f'<ul class="zhibu-legend">{"".join(items)}</ul>'


def _stroke(i: int) -> str:
    """Dash pattern and width: later series are drawn thinner on top, so coinciding lines all show."""
    dash = STYLES[i % len(STYLES)][0]
    return f' stroke-width="{max(1.4, 4.2 - 1.1 * i):.1f}"' + (f' stroke-dasharray="{dash}"' if dash else "")


def _figure(title: str, svg: list[str], legend: str) -> str:
    return f'<div class="zhibu-figure"><p class="zhibu-figure__title">{_e(title)}</p>{"".join(svg)}</svg>{legend}</div>'


def _scale(values: list[float], axis: Axis) -> list[float]:
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if axis.zero:
        low, high = min(low, 0.0), max(high, 0.0)
    return ticks(low, high, axis.integer)


def line_chart(title: str, labels: list[str], series: list[Series], axis: Axis) -> str:
    marks = _scale([v for s in series for v in s.values if v is not None], axis)
    svg = _frame(title, labels, marks, axis)
    suffix = "" if axis.unit == "%" else axis.unit
    for i, s in enumerate(series):
        shape = STYLES[i % len(STYLES)][1]
        style = f"zhibu-s{i % len(STYLES)}"
        points = [
            (_x(j, len(labels)), _y(v, marks[0], marks[-1]), v, labels[j])
            for j, v in enumerate(s.values)
            if v is not None
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        svg.append(f'<g class="{style}"><polyline class="zhibu-line" points="{path}"{_stroke(i)}/>')
        for x, y, v, label in points:
            shown = number(v) + ("%" if axis.unit == "%" else f" {suffix}" if suffix else "")
            svg.append(_marker(shape, x, y, f"<title>{_e(s.name)} {_e(label)}：{_e(shown)}</title>"))
        svg.append("</g>")
    return _figure(title, svg, _legend(series, lines=True))


def bar_chart(title: str, labels: list[str], series: list[Series], axis: Axis) -> str:
    """Stacked bars, one stack per label."""
    totals = [sum(s.values[j] or 0 for s in series) for j in range(len(labels))]
    marks = _scale(totals, axis)
    svg = _frame(title, labels, marks, axis)
    width = min(48.0, (WIDTH - LEFT - RIGHT) / max(1, len(labels)) * 0.6)
    for j, label in enumerate(labels):
        base = 0.0
        for i, s in enumerate(series):
            value = s.values[j] or 0
            if not value:
                continue
            top, bottom = _y(base + value, marks[0], marks[-1]), _y(base, marks[0], marks[-1])
            svg.append(
                f'<rect class="zhibu-bar zhibu-s{i % len(STYLES)}" x="{_x(j, len(labels)) - width / 2:.1f}" '
                f'y="{top:.1f}" width="{width:.1f}" height="{bottom - top:.1f}"><title>{_e(label)} {_e(s.name)}：'
                f"{_e(number(value))} {_e(axis.unit)}</title></rect>"
            )
            base += value
    return _figure(title, svg, _legend(series, lines=False))
