"""The stretch of time an export covers: `zhibu export --period 2025-Q1` or `--from 2024-07 --to 2025-06`.

`--period` takes the forms of a meeting's `covers` (YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM); `--from`/`--to` take a
date, a month or a year, meaning its first day for `--from` and its last day for `--to`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic_core import PydanticCustomError

from generator.ledgers.compute import Period
from generator.model import PartialDate, parse_covers, parse_partial_date


@dataclass(frozen=True)
class Span:
    first: date | None = None  # None: from the archive's beginning
    last: date | None = None  # None: up to today
    label: str = ""  # a named period (2025年第一季度); empty for everything and for --from/--to

    def holds(self, first: date, last: date | None = None) -> bool:
        """Whether the days first..last lie wholly inside."""
        return (self.first is None or self.first <= first) and (self.last is None or (last or first) <= self.last)

    def holds_partial(self, value: PartialDate) -> bool:
        """A partial date (2025, 2025-03) counts when all of it is inside: 2025 is not in 2025-Q1."""
        return self.holds(value.start, last_day(value))

    def on(self, today: date) -> date:
        """The day a snapshot (the roster) is taken: the span's last day, or today if that comes first."""
        return min(self.last, today) if self.last else today


EVERYTHING = Span()


def last_day(value: PartialDate) -> date:
    if value.day:
        return value.start
    return Period(value.start, 1 if value.month else 12).end


def period(text: str) -> Span:
    """--period: 2025, 2025-H1, 2025-Q1 or 2025-03; ValueError with a Chinese message otherwise."""
    try:
        covered = parse_covers(text)
    except PydanticCustomError:
        raise ValueError("期间应为 YYYY、YYYY-H1、YYYY-Q1 或 YYYY-MM，如 2025、2025-Q1、2025-03") from None
    found = Period(covered.start, covered.months)
    return Span(found.start, found.end, found.label)


def between(first: str | None, last: str | None) -> Span:
    """--from/--to: a date, a month or a year each; either may be left open."""
    start, end = _partial(first), _partial(last)
    day_one, day_last = start.start if start else None, last_day(end) if end else None
    if day_one and day_last and day_one > day_last:
        raise ValueError(f"起始 {day_one} 晚于截止 {day_last}")
    return Span(day_one, day_last)


def _partial(text: str | None) -> PartialDate | None:
    if text is None:
        return None
    try:
        return parse_partial_date(text)
    except PydanticCustomError as exc:
        raise ValueError(f"“{text}”：{exc.message()}") from None
