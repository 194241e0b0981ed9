"""Template values for the ledger pages (台账): tables and charts from the views."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator import vocab
from generator.ledgers import charts, completeness, export
from generator.ledgers import compute as ledgers
from generator.stages.derive import Views, date_label, record_date
from generator.stages.resolve import Archive

ROOT = "../../"  # from /ledgers/<page>/ to the site root, for links inside raw HTML


def pages(archive: Archive, views: Views, tables: list[export.Table]) -> dict[str, tuple[str, dict[str, Any]]]:
    """docs path -> (template, values) for every ledger page; tables are the ledgers the site offers as files."""
    found: dict[str, tuple[str, dict[str, Any]]] = {
        "ledgers/index.md": ("ledgers/index.md.j2", {"downloads": [(table.name, table.label) for table in tables]}),
    }
    builders: dict[str, Callable[[Archive, Views], dict[str, Any]]] = {
        "compliance": _compliance,
        "attendance": _attendance,
        "actions": _actions,
        "assessments": _assessments,
        "honours": _honours,
        "achievements": _achievements,
        "talent": _talent,
        "projects": _projects,
    }
    for name, build in builders.items():
        found[f"ledgers/{name}.md"] = (f"ledgers/{name}.md.j2", build(archive, views))
    found.update(_completeness(archive, views))
    return found


def _compliance(archive: Archive, views: Views) -> dict[str, Any]:
    by_org: dict[str, list[ledgers.ComplianceRow]] = defaultdict(list)
    for row in views.compliance:
        by_org[row.org.id].append(row)
    summary, matrix = [], []
    tree = {org_id: i for i, org_id in enumerate(_tree_order(archive, archive.info.owner))}
    for rows in sorted(by_org.values(), key=lambda rows: (tree.get(rows[0].org.id, len(tree)), rows[0].org.id)):
        org = rows[0].org
        years = sorted({c.period.start.year for r in rows for c in r.cells}, reverse=True)
        totals = []
        for year in years:
            pairs = [r.year(year) for r in rows]
            totals.append((year, (sum(h for h, _ in pairs), sum(q for _, q in pairs))))
        summary.append((org, totals))
        matrix.append((org, [(year, [_year_row(r, year) for r in rows]) for year in years]))
    return {
        "rules": ledgers.rules(archive),
        "frequency_labels": ledgers.FREQUENCY_LABELS,
        "summary": summary,
        "matrix": matrix,
        "root": ROOT,
        "hidden": views.hidden,
        "chart": _meetings_per_month(archive, views),
    }


def _tree_order(archive: Archive, org_id: str) -> list[str]:
    """The org, then each child followed by its own subtree: 总支, 支部, its 党小组, next 支部 …"""
    children = sorted(archive.children(org_id), key=lambda o: o.id)
    return [org_id] + [found for child in children for found in _tree_order(archive, child.id)]


def _meetings_per_month(archive: Archive, views: Views) -> str:
    """Meetings held per month by each 党支部 with its 党小组 (restricted ones count)."""
    meetings = views.ledger_meetings
    if not meetings:
        return ""
    months = [p.start.strftime("%Y-%m") for p in ledgers.periods(1, meetings[-1].data.date, meetings[0].data.date)]
    series = []
    for branch in sorted(archive.records["orgs"].values(), key=lambda o: o.id):
        if branch.data.kind != "党支部":
            continue
        orgs = set(archive.subtree(branch.id))
        counts: dict[str, int] = defaultdict(int)
        for m in meetings:
            if m.data.org in orgs:
                counts[m.data.date.strftime("%Y-%m")] += 1
        series.append(charts.Series(branch.data.name, [float(counts[m]) for m in months]))
    return charts.line_chart(
        "各党支部每月召开会议次数（含所属党小组）",
        [m.replace("-", ".") for m in months],
        series,
        charts.Axis(unit="次", integer=True),
    )


def _year_row(row: ledgers.ComplianceRow, year: int) -> dict[str, Any]:
    cells, covered = [], 0
    for cell in row.cells:
        if cell.period.start.year != year:
            continue
        gap = cell.period.start.month - 1 - covered
        cells.append((gap, cell))
        covered = cell.period.start.month - 1 + cell.period.months
    return {"type": row.type, "cells": cells, "after": 12 - covered}


@dataclass(frozen=True)
class _Completeness:
    meetings: int
    complete: int

    @property
    def rate(self) -> float:
        return self.complete / self.meetings


def _completeness(archive: Archive, views: Views) -> dict[str, tuple[str, dict[str, Any]]]:
    """记录完整性: a summary page, and one page per org listing each meeting's gaps (restricted ones unnamed)."""
    by_org: dict[str, list[Any]] = defaultdict(list)
    for meeting in reversed(views.ledger_meetings):  # oldest first
        by_org[meeting.data.org].append(meeting)
    orgs = archive.records["orgs"]
    summary, pages = [], {}
    for org_id, meetings in sorted(by_org.items()):
        years: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for m in meetings:
            years[m.data.date.year][0] += 1
            years[m.data.date.year][1] += not views.completeness[m.id]
        summary.append((orgs[org_id], [(y, _Completeness(*c)) for y, c in sorted(years.items(), reverse=True)]))
        rows = [(m, m.key in views.hidden, [g.label for g in views.completeness[m.id]]) for m in meetings]
        pages[f"ledgers/completeness/{org_id}.md"] = (
            "ledgers/completeness-org.md.j2",
            {"org": orgs[org_id], "rows": rows, "incomplete": [r for r in rows if r[2]]},
        )
    rules = completeness.parts(archive)
    scopes = [(t, completeness.required(rules, t)) for t in vocab.MEETING_TYPES.words]
    return {"ledgers/completeness.md": ("ledgers/completeness.md.j2", {"summary": summary, "scopes": scopes})} | pages


def _attendance(archive: Archive, views: Views) -> dict[str, Any]:
    months = list(views.attendance_by_month)
    rate = [views.attendance_by_month[m].rate for m in months]
    trend = charts.line_chart(
        "出席率（按月）",
        [m.replace("-", ".") for m in months],
        [charts.Series("全部会议", [r * 100 if r is not None else None for r in rate])],
        charts.Axis(unit="%"),
    )
    orgs, people = archive.records["orgs"], archive.records["people"]
    return {
        "root": ROOT,
        "trend": trend,
        "by_org": [(orgs[o], sorted(y.items(), reverse=True)) for o, y in sorted(views.attendance_by_org.items())],
        "by_person": [
            (people[p], sorted(y.items(), reverse=True)) for p, y in sorted(views.attendance_by_person.items())
        ],
    }


def _actions(archive: Archive, views: Views) -> dict[str, Any]:
    """Lists show the published meetings' actions; counts include restricted meetings' actions."""
    items = sorted(views.actions, key=lambda a: a.action.due or a.meeting.data.date, reverse=True)
    counted = views.all_actions
    statuses = ("进行中", "未开始", "已完成", "已取消")
    by_status = [(s, [a for a in items if (a.action.status or "未开始") == s]) for s in statuses]
    status_counts = [(s, n) for s in statuses if (n := sum((a.action.status or "未开始") == s for a in counted))]

    def counts(key: Callable[[ledgers.ActionItem], str | None], collection: str) -> list[tuple[Any, Any]]:
        table: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "overdue": 0, "done": 0})
        for a in counted:
            if (k := key(a)) is not None:
                table[k]["open" if a.open else "done"] += 1
                table[k]["overdue"] += a.overdue
        pool = archive.records[collection]
        return [(pool[k], _Counts(**v)) for k, v in sorted(table.items())]

    return {
        "root": ROOT,
        "items": items,
        "total": len(counted),
        "status_counts": status_counts,
        "total_overdue": sum(a.overdue for a in counted),
        "overdue": [a for a in items if a.overdue],
        "by_status": [(s, found) for s, found in by_status if found],
        "by_org": counts(lambda a: a.meeting.data.org, "orgs"),
        "by_owner": counts(lambda a: a.owner, "people"),
    }


@dataclass(frozen=True)
class _Counts:
    open: int
    overdue: int
    done: int


def _assessments(archive: Archive, views: Views) -> dict[str, Any]:
    trends, categories = {}, {}
    for scheme, by_period in views.scores.items():
        periods = list(by_period)
        subjects = sorted({s.subject for ranked in by_period.values() for s in ranked})
        series = [
            charts.Series(name, [next((s.total for s in by_period[p] if s.subject == name), None) for p in periods])
            for name in subjects
        ]
        trends[scheme] = charts.line_chart(f"{scheme}总分趋势", periods, series, charts.Axis(unit="分", zero=False))
        categories[scheme] = sorted({c for ranked in by_period.values() for s in ranked for c in s.by_category})
    return {"trends": trends, "categories": categories}


def _honours(archive: Archive, views: Views) -> dict[str, Any]:
    honours = views.sorted["honours"]
    table = ledgers.count_by(honours, lambda h: record_date(h).year, lambda h: h.data.level)
    levels = [level for level in vocab.HONOUR_LEVELS.words if any(level in c for c in table.values())]
    years = sorted(table)
    chart = charts.bar_chart(
        "荣誉数（按年份、级别）",
        [str(y) for y in years],
        [charts.Series(level, [table[y].get(level, 0) for y in years]) for level in levels],
        charts.Axis(unit="项", integer=True),
    )
    return {
        "chart": chart,
        "levels": levels,
        "table": list(table.items()),
        "orgs": _honoured(archive, views, "orgs"),
        "people": _honoured(archive, views, "people"),
    }


def _honoured(archive: Archive, views: Views, collection: str) -> list[tuple[Any, int]]:
    """Recipients of honours with their counts, most first: the backlinks already hold them."""
    counts = [
        (archive.records[collection][record_id], len(found["honours"]))
        for (kind, record_id), found in views.backlinks.items()
        if kind == collection and found.get("honours")
    ]
    return sorted(counts, key=lambda pair: (-pair[1], pair[0].id))


def _achievements(archive: Archive, views: Views) -> dict[str, Any]:
    found = views.sorted["achievements"]
    table = ledgers.count_by(found, lambda a: a.data.category, lambda a: record_date(a).year)
    years = sorted({y for counts in table.values() for y in counts})
    metric_charts = {}
    for name, points in views.metrics.items():
        unit = points[-1].unit
        labels = [date_label(p.record) for p in points]
        values: list[float | None] = [p.value for p in points]
        if points[0].previous is not None:  # where the first record started from
            labels, values = ["此前", *labels], [points[0].previous, *values]
        direction = "越低越好" if points[-1].better == "lower" else "越高越好"
        metric_charts[name] = charts.line_chart(
            f"{name}（{direction}）", labels, [charts.Series(name, values)], charts.Axis(unit=unit, zero=False)
        )
    return {"table": sorted(table.items()), "years": years, "charts": metric_charts}


def _talent(archive: Archive, views: Views) -> dict[str, Any]:
    groups = []
    for category in vocab.TALENT_CATEGORIES.words:
        people = [p for p in views.sorted["people"] if p.data.category == category]
        if people:
            groups.append((category, people))
    return {"groups": groups}


def _projects(archive: Archive, views: Views) -> dict[str, Any]:
    board = [
        (s, [p for p in views.sorted["projects"] if (p.data.status or "进行中") == s])
        for s in vocab.PROJECT_STATUSES.words
    ]
    return {"board": [(s, found) for s, found in board if found]}
