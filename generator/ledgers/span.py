"""The stretch of time an export covers: `zhibu export --period 2025-Q1` or `--from 2024-07 --to 2025-06`.

`--period` takes the forms of a meeting's `covers` (YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM) and the way a 台账 writes
them (2025年, 2025年3月 — read by the importer's date parser —, 2025年第一季度, 2025年上半年); `--from`/`--to` take
a date, a month or a year, meaning its first day for `--from` and its last day for `--to`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pydantic_core import PydanticCustomError

from generator.editing.importer import Refused, parse_date
from generator.ledgers.compute import Period
from generator.model import PartialDate, date_problem, parse_covers, parse_partial_date

# 2025年第一季度, 2025年第1季度, 2025年上半年: a quarter or a half as the 台账 names it.
_NAMED_PART = re.compile(r"^(\d{4})\s*年\s*(?:第\s*([一二三四1-4])\s*季度?|([上下])\s*半年)$")
PERIOD_FORMS = "期间应为 2025、2025-H1、2025-Q1、2025-03，或 2025年、2025年上半年、2025年第一季度、2025年3月"


@dataclass(frozen=True)
class Span:
    """What an export covers: a stretch of time and, with `--org`, one org and the orgs under it."""

    first: date | None = None  # None: from the archive's beginning
    last: date | None = None  # None: up to today
    label: str = ""  # a named period (2025年第一季度); empty for everything and for --from/--to
    orgs: frozenset[str] | None = None  # None: every org
    org_name: str = ""  # the org named with --org, for title lines

    def has_org(self, *org_ids: str | None) -> bool:
        """Whether any of these orgs is inside (always, without --org)."""
        return self.orgs is None or any(o in self.orgs for o in org_ids)

    def holds(self, first: date, last: date | None = None) -> bool:
        """Whether the days first..last lie wholly inside."""
        return (self.first is None or self.first <= first) and (self.last is None or (last or first) <= self.last)

    def holds_partial(self, value: PartialDate) -> bool:
        """A partial date (2025, 2025-03) counts when all of it is inside: 2025 is not in 2025-Q1."""
        return self.holds(value.start, last_day(value))

    @property
    def name(self) -> str:
        """The span in words, for messages: 2025年第1季度, 2025年3月8日至2025年4月30日, 2025年3月8日起."""
        if self.label:
            return self.label
        first, last = (day_text(d) if d else "" for d in (self.first, self.last))
        if first and first == last:
            return first
        return f"{first}至{last}" if first and last else f"{first}起" if first else f"{last}止" if last else "整个档案"

    def on(self, today: date) -> date:
        """The day a snapshot (the roster) is taken: the span's last day, or today if that comes first."""
        return min(self.last, today) if self.last else today


EVERYTHING = Span()


def day_text(day: date) -> str:
    """A date as the ledgers and books write it: 2024年12月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


def last_day(value: PartialDate) -> date:
    if value.day:
        return value.start
    return Period(value.start, 1 if value.month else 12).end


def period(text: str) -> Span:
    """--period: 2025, 2025-H1, 2025-Q1, 2025-03 or their Chinese forms; ValueError with a Chinese message."""
    try:
        covered = parse_covers(_covers_form(text.strip()))
    except PydanticCustomError:
        problem = date_problem(text, "YYYY-MM")
        raise ValueError(problem if problem.startswith("月份") else PERIOD_FORMS) from None
    found = Period(covered.start, covered.months)
    return Span(found.start, found.end, found.label)


def _covers_form(text: str) -> str:
    """The period as `covers` writes it: 2025年第一季度 → 2025-Q1, 2025年3月 → 2025-03; other text unchanged."""
    if named := _NAMED_PART.match(text):
        year, quarter, half = named.groups()
        if quarter:
            return f"{year}-Q{'一二三四1234'.index(quarter) % 4 + 1}"
        return f"{year}-H{'上下'.index(half) + 1}"
    try:
        return parse_date(text, None, partial=True)[0]
    except Refused:
        return text


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
