"""Organisational-life ledgers, computed from the records and never typed by hand:
三会一课 compliance, attendance, 会后落实 actions, assessments, honours, achievements.

Pure functions of the archive and a date ("today"), used by derive (views for
the site), by the check (warnings) and by export (spreadsheets).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from generator.diagnostics import Diagnostic, warning
from generator.stages.resolve import Archive
from generator.stages.validate import Record
from generator.vocab import CLOSED_ACTION_STATUSES, FREQUENCIES

MONTHS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}
FREQUENCY_LABELS = {"monthly": "每月", "quarterly": "每季度", "half-yearly": "每半年", "yearly": "每年"}
# 中国共产党支部工作条例（试行） and common practice: meeting type -> (held by org kind, frequency).
# 党课 a quarter is local practice, not the regulation: archive.yaml `rules` changes any of these.
DEFAULT_RULES: dict[str, tuple[str, str]] = {
    "党员大会": ("党支部", "quarterly"),
    "支委会": ("党支部", "monthly"),
    "党小组会": ("党小组", "monthly"),
    "主题党日": ("党支部", "monthly"),
    "党课": ("党支部", "quarterly"),
    "组织生活会": ("党支部", "yearly"),
    "民主评议党员": ("党支部", "yearly"),
}
assert set(MONTHS) == set(FREQUENCIES.words)


# ---------------------------------------------------------------- periods


@dataclass(frozen=True, order=True)
class Period:
    start: date
    months: int

    @property
    def end(self) -> date:
        """The last day of the period."""
        month = self.start.month - 1 + self.months
        following = date(self.start.year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)

    @property
    def label(self) -> str:
        year, month = self.start.year, self.start.month
        if self.months == 1:
            return f"{year}年{month}月"
        if self.months == 3:
            return f"{year}年第{(month - 1) // 3 + 1}季度"
        if self.months == 6:
            return f"{year}年{'上' if month == 1 else '下'}半年"
        return f"{year}年"

    @property
    def short(self) -> str:
        month = self.start.month
        return {1: f"{month}月", 3: f"Q{(month - 1) // 3 + 1}", 6: "上" if month == 1 else "下"}.get(
            self.months, str(self.start.year)
        )


def period_of(day: date, months: int) -> Period:
    return Period(date(day.year, (day.month - 1) // months * months + 1, 1), months)


def periods(months: int, first: date, last: date) -> list[Period]:
    found, current = [], period_of(first, months)
    while current.start <= last:
        found.append(current)
        current = period_of(date.fromordinal(current.end.toordinal() + 1), months)
    return found


# ---------------------------------------------------------------- compliance


@dataclass(frozen=True)
class Cell:
    period: Period
    status: str  # "held" | "missing" | "pending" | "exempt"
    meetings: tuple[Record, ...] = ()


@dataclass(frozen=True)
class ComplianceRow:
    org: Record
    type: str
    frequency: str
    cells: tuple[Cell, ...]

    def year(self, year: int) -> tuple[int, int]:
        """(held, required) over the completed periods of a year."""
        return tally(c for c in self.cells if c.period.start.year == year)


def tally(cells: Iterable[Cell]) -> tuple[int, int]:
    """(held, required) over the completed periods among cells."""
    counted = [c for c in cells if c.status in ("held", "missing")]
    return sum(c.status == "held" for c in counted), len(counted)


def rules(archive: Archive) -> dict[str, tuple[str, str]]:
    merged = dict(DEFAULT_RULES)
    for meeting_type, frequency in (archive.info.rules or {}).items():
        kind = DEFAULT_RULES.get(meeting_type, ("党支部", frequency))[0]
        merged[meeting_type] = (kind, frequency)
    return merged


def since(archive: Archive) -> date | None:
    """Where the archive's history starts: archive.yaml `since`, else its first meeting's month."""
    if archive.info.since:
        return archive.info.since.start
    dates = [m.data.date for m in archive.records["meetings"].values()]
    return date(min(dates).year, min(dates).month, 1) if dates else None


def covered(meeting: Record) -> date:
    """The day a meeting counts on: the start of the period it covers, else its date."""
    covers = meeting.data.covers
    return covers.start if covers else meeting.data.date


def compliance(archive: Archive, today: date) -> list[ComplianceRow]:
    first = since(archive)
    if first is None:
        return []
    held: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for meeting in archive.records["meetings"].values():
        held[(meeting.data.org, meeting.data.type)].append(meeting)
    if archive.info.until:
        today = min(today, archive.info.until.start)
    rows = []
    for org in sorted(archive.records["orgs"].values(), key=lambda o: o.id):
        for meeting_type, (kind, frequency) in rules(archive).items():
            if org.data.kind != kind:
                continue
            months = MONTHS[frequency]
            # By the day each counts on, so a period's meetings are one slice (not a scan of all
            # the org's meetings per period); within it, by date, ties in archive order.
            meetings = sorted(enumerate(held[(org.id, meeting_type)]), key=lambda m: covered(m[1]))
            days = [covered(m) for _, m in meetings]
            cells = []
            for period in periods(months, first, today):
                if period.start < first:
                    continue
                within = meetings[bisect_left(days, period.start) : bisect_right(days, period.end)]
                found = tuple(m for _, m in sorted(within, key=lambda m: (m[1].data.date, m[0])))
                cells.append(Cell(period, _status(org, period, today, found), found))
            rows.append(ComplianceRow(org, meeting_type, frequency, tuple(cells)))
    return rows


def _status(org: Record, period: Period, today: date, found: tuple[Record, ...]) -> str:
    established, dissolved = org.data.established, org.data.dissolved
    if (established and period.end < established) or (dissolved and period.start > dissolved):
        return "exempt"
    if found:
        return "held"
    return "pending" if period.end >= today else "missing"


# ---------------------------------------------------------------- check warnings


_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d\d)年")


def warnings(archive: Archive, today: date, rows: list[ComplianceRow] | None = None) -> list[Diagnostic]:
    """Missing meetings in completed periods, 支委会 without a quorum, titles naming another year
    (full archive); rows: its compliance on that day, when already computed."""
    found = []
    for row in compliance(archive, today) if rows is None else rows:
        for cell in row.cells:
            if cell.status == "missing":
                found.append(
                    warning(
                        row.org.file,
                        1,
                        "",
                        f"{cell.period.label}未召开{row.type}（要求{FREQUENCY_LABELS[row.frequency]}）",
                    )
                )
    for meeting in archive.records["meetings"].values():
        found += _covers_warnings(meeting)
        if meeting.data.type != "支委会":
            continue
        att = archive.attendance(meeting)  # for a 支委会, 应到 is the committee on that day
        came, committee = len(att.present), att.expected
        if committee and came * 2 <= len(committee):
            found.append(
                warning(
                    meeting.file,
                    meeting.line("attendees"),
                    "attendees",
                    f"到会支委 {came} 人，未超过支委会 {len(committee)} 人的半数",
                )
            )
    return found


def _covers_warnings(meeting: Record) -> list[Diagnostic]:
    """A title naming years that do not include the covered year: e.g. 2024年度 held in 2025 without `covers`."""
    named = {int(y) for y in _YEAR_IN_TITLE.findall(meeting.data.title)}
    year = covered(meeting).year
    if not named or year in named:
        return []
    field = "covers" if meeting.data.covers else "title"
    hint = "请核对 covers" if meeting.data.covers else f"请加 covers: {min(named)}，或核对标题"
    return [
        warning(
            meeting.file,
            meeting.line(field),
            field,
            f"标题写的是{'、'.join(map(str, sorted(named)))}年，会议却计入{year}年；{hint}",
        )
    ]


# ---------------------------------------------------------------- attendance


@dataclass
class Tally:
    expected: int = 0
    present: int = 0
    meetings: int = 0

    @property
    def rate(self) -> float | None:
        return self.present / self.expected if self.expected else None


def attendance_by(
    views_attendance: dict[str, Any], meetings: list[Record]
) -> tuple[dict[str, dict[int, Tally]], dict[str, dict[int, Tally]], dict[str, Tally]]:
    """Per org per year, per person per year, per month ("YYYY-MM")."""
    by_org: dict[str, dict[int, Tally]] = defaultdict(lambda: defaultdict(Tally))
    by_person: dict[str, dict[int, Tally]] = defaultdict(lambda: defaultdict(Tally))
    by_month: dict[str, Tally] = defaultdict(Tally)
    for meeting in meetings:
        att = views_attendance[meeting.id]
        if not att.expected:
            continue
        year = meeting.data.date.year
        for tally in (by_org[meeting.data.org][year], by_month[meeting.data.date.strftime("%Y-%m")]):
            tally.expected += len(att.expected)
            tally.present += len(att.present)
            tally.meetings += 1
        present = set(att.present)
        for person in att.expected:
            tally = by_person[person][year]
            tally.expected += 1
            tally.meetings += 1
            tally.present += person in present
    return by_org, by_person, dict(sorted(by_month.items()))


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class ActionItem:
    meeting: Record
    index: int
    action: Any  # model.Action
    owner: str | None  # person id
    overdue: bool

    @property
    def open(self) -> bool:
        return (self.action.status or "未开始") not in CLOSED_ACTION_STATUSES


def actions(archive: Archive, meetings: list[Record], today: date) -> list[ActionItem]:
    found = []
    for meeting in meetings:
        for i, action in enumerate(meeting.data.actions):
            owner = archive.get("people", action.owner)
            status = action.status or "未开始"
            overdue = bool(action.due and action.due < today and status not in CLOSED_ACTION_STATUSES)
            found.append(ActionItem(meeting, i, action, owner.id if owner else None, overdue))
    return found


# ---------------------------------------------------------------- assessments


@dataclass(frozen=True)
class Score:
    record: Record
    subject: str  # display name
    total: float
    maximum: float
    by_category: dict[str, float]


def scores(archive: Archive, assessments: list[Record]) -> dict[str, dict[str, list[Score]]]:
    """scheme -> period -> scores ranked best first."""
    found: dict[str, dict[str, list[Score]]] = defaultdict(lambda: defaultdict(list))
    for record in assessments:
        data = record.data
        who = archive.get("people", data.subject.person) or archive.get("orgs", data.subject.org)
        categories: dict[str, float] = defaultdict(float)
        for item in data.items:
            categories[item.category or item.name] += item.score
        found[data.scheme][data.period].append(
            Score(
                record,
                who.data.name if who else "",
                sum(i.score for i in data.items),
                sum(i.max for i in data.items),
                dict(categories),
            )
        )
    return {
        scheme: {period: sorted(s, key=lambda x: (-x.total, x.subject)) for period, s in sorted(by_period.items())}
        for scheme, by_period in sorted(found.items())
    }


# ---------------------------------------------------------------- metrics


@dataclass(frozen=True)
class MetricPoint:
    record: Record
    day: date
    value: float
    previous: float | None
    unit: str
    better: str  # higher or lower: one direction per metric name

    @property
    def change(self) -> str:
        return change_label(self.value, self.previous, self.better)


def change_label(value: float, previous: float | None, better: str) -> str:
    """How a metric moved and whether that is good: "下降 85（改善）" for a cost."""
    if previous is None:
        return ""
    if value == previous:
        return "持平"
    verdict = "改善" if (value > previous) == (better == "higher") else "变差"
    return f"{'上升' if value > previous else '下降'} {abs(value - previous):.6g}（{verdict}）"


# Words in a metric's name that make lower values better when no record says `better`.
LOWER_IS_BETTER = ("成本", "费用", "耗", "损", "废", "残", "事故", "故障", "排放", "投诉", "停机")


def metric_direction(name: str, declared: list[str | None]) -> str:
    """One direction per metric: the latest record that declares it, else guessed from the name."""
    found = [d for d in declared if d]
    if found:
        return found[-1]
    return "lower" if any(word in name for word in LOWER_IS_BETTER) else "higher"


def metric_history(achievements: list[Record], record_date: Any) -> dict[str, list[MetricPoint]]:
    history: dict[str, list[tuple[date, Record, Any]]] = defaultdict(list)
    for record in achievements:
        for metric in record.data.metrics:
            history[metric.name].append((record_date(record), record, metric))
    found = {}
    for name, entries in sorted(history.items()):
        entries.sort(key=lambda e: e[0])
        better = metric_direction(name, [m.better for _, _, m in entries])
        found[name] = [MetricPoint(r, day, m.value, m.previous, m.unit or "", better) for day, r, m in entries]
    return found


def count_by(records: list[Record], row: Any, column: Any) -> dict[Any, dict[Any, int]]:
    """Counts of records by two keys, e.g. year x level; rows newest/largest first."""
    counts: dict[Any, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    for record in records:
        counts[row(record)][column(record)] += 1
    return {r: dict(c) for r, c in sorted(counts.items(), reverse=True)}
