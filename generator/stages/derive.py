"""Stage 4, derive: views computed from the archive graph (listings, attendance, backlinks).

Nothing here is typed by an editor; everything is recomputed on every build.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from generator import vocab
from generator.ledgers import completeness
from generator.ledgers import compute as ledgers
from generator.model import COLLECTIONS
from generator.stages.resolve import Archive, Attendance, published
from generator.stages.validate import Record

# Collections that are dated events, shown newest first and grouped by year.
DATED = ("meetings", "honours", "achievements", "activities", "projects", "assessments")


def record_date(record: Record) -> date | None:
    data = record.data
    value = getattr(data, "date", None) or getattr(data, "start", None)
    if value is None and record.collection == "assessments":
        year, _, month = data.period.partition("-")
        return date(int(year), int(month or 1), 1)
    return getattr(value, "start", value)


def date_text(record: Record) -> str:
    """The record's date as written: 2025-03-08, 2025-06, 2025."""
    data = record.data
    value = getattr(data, "date", None) or getattr(data, "start", None) or getattr(data, "period", None)
    return "" if value is None else str(value)


def date_label(record: Record) -> str:
    data = record.data
    if record.collection == "assessments":
        year, _, month = data.period.partition("-")
        return f"{year}年{int(month)}月" if month else f"{year}年度"
    value = getattr(data, "date", None) or getattr(data, "start", None)
    if value is None:
        return ""
    return getattr(value, "label", None) or f"{value.year}年{value.month}月{value.day}日"


def record_title(archive: Archive, record: Record) -> str:
    """The title a record is listed under; assessments are named by subject, period and scheme."""
    data = record.data
    if record.collection == "assessments":
        subject = data.subject
        who = archive.get("people", subject.person) or archive.get("orgs", subject.org)
        name = who.data.name if who else subject.person or subject.org
        return f"{name} {date_label(record)}{data.scheme}考核"
    return getattr(data, "title", None) or data.name


@dataclass
class Views:
    """Everything the templates show that is not a field of one record."""

    today: date
    sorted: dict[str, list[Record]] = field(default_factory=dict)  # newest first
    by_year: dict[str, dict[int, list[Record]]] = field(default_factory=dict)
    backlinks: dict[tuple[str, str], dict[str, list[Record]]] = field(default_factory=dict)
    roles: dict[tuple[tuple[str, str], tuple[str, str]], list[str]] = field(default_factory=dict)
    people_of: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # person ids
    by_tag: dict[str, list[Record]] = field(default_factory=dict)
    by_level: dict[str, list[Record]] = field(default_factory=dict)  # honours by level
    by_category: dict[str, list[Record]] = field(default_factory=dict)  # achievements by category
    attendance: dict[str, Attendance] = field(default_factory=dict)  # every meeting, restricted ones too
    neighbours: dict[str, tuple[Record | None, Record | None]] = field(default_factory=dict)
    latest: list[Record] = field(default_factory=list)
    # ledgers: computed on the full archive, so restricted records count; pages decide what they show
    hidden: frozenset[tuple[str, str]] = frozenset()  # keys of records counted but not published
    ledger_meetings: list[Record] = field(default_factory=list)  # newest first, restricted ones too
    compliance: list[ledgers.ComplianceRow] = field(default_factory=list)
    books: dict[str, dict[int, list[Record]]] = field(default_factory=dict)  # 会议记录本: org -> year -> oldest first
    attendance_by_org: dict[str, dict[int, ledgers.Tally]] = field(default_factory=dict)
    attendance_by_person: dict[str, dict[int, ledgers.Tally]] = field(default_factory=dict)
    attendance_by_month: dict[str, ledgers.Tally] = field(default_factory=dict)
    completeness: dict[str, list[completeness.Gap]] = field(default_factory=dict)  # meeting id -> gaps
    actions: list[ledgers.ActionItem] = field(default_factory=list)  # published meetings only
    all_actions: list[ledgers.ActionItem] = field(default_factory=list)  # for counts
    open_actions: dict[str, list[ledgers.ActionItem]] = field(default_factory=dict)  # by owner
    scores: dict[str, dict[str, list[ledgers.Score]]] = field(default_factory=dict)
    metrics: dict[str, list[ledgers.MetricPoint]] = field(default_factory=dict)


def _newest_first(records: Any) -> list[Record]:
    return sorted(records, key=lambda r: (record_date(r) or date.min, r.id), reverse=True)


def derive(archive: Archive, today: date, full: Archive | None = None) -> Views:
    """Views of `archive` (what the site shows); ledgers count every record of `full` (default: archive)."""
    full = full or archive
    views = Views(today=today)
    for name in COLLECTIONS:
        pool = archive.records[name].values()
        if name in DATED:
            views.sorted[name] = _newest_first(pool)
            years: dict[int, list[Record]] = defaultdict(list)
            for record in views.sorted[name]:
                years[record_date(record).year].append(record)  # type: ignore[union-attr]
            views.by_year[name] = dict(sorted(years.items(), reverse=True))
        else:
            views.sorted[name] = sorted(pool, key=lambda r: r.id)
    _backlinks(archive, views)
    for name in DATED:
        for record in views.sorted[name]:
            for tag in getattr(record.data, "tags", []):
                views.by_tag.setdefault(tag, []).append(record)
    views.by_tag = dict(sorted(views.by_tag.items()))
    views.by_level = _group(views.sorted["honours"], lambda r: r.data.level, vocab.HONOUR_LEVELS.words)
    views.by_category = _group(
        views.sorted["achievements"], lambda r: r.data.category, vocab.ACHIEVEMENT_CATEGORIES.words
    )
    _neighbours(views)
    _ledgers(full, archive, views)
    views.latest = _newest_first(r for name in DATED for r in views.sorted[name][:10])[:10]
    return views


def _group(records: list[Record], key: Any, order: tuple[str, ...]) -> dict[str, list[Record]]:
    groups: dict[str, list[Record]] = {word: [] for word in order}
    for record in records:
        groups[key(record)].append(record)
    return {word: found for word, found in groups.items() if found}


def _backlinks(archive: Archive, views: Views) -> None:
    records = archive.records
    back: dict[tuple[str, str], dict[str, dict[tuple[str, str], Record]]] = defaultdict(lambda: defaultdict(dict))
    roles: dict[tuple[tuple[str, str], tuple[str, str]], list[str]] = defaultdict(list)
    people_of: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    for link in archive.links:
        if link.target[0] == "people":
            people_of[link.source][link.target[1]] = None
        source = records[link.source[0]][link.source[1]]
        back[link.target][link.source[0]][link.source] = source
        if link.field not in roles[(link.target, link.source)]:
            roles[(link.target, link.source)].append(link.field)
    # Every linking record ranked newest first once, rather than dated again in each target's sort.
    rank = {
        r.key: n for n, r in enumerate(_newest_first(records[c][i] for c, i in {link.source for link in archive.links}))
    }
    views.backlinks = {
        target: {c: sorted(found.values(), key=lambda r: rank[r.key]) for c, found in by_collection.items()}
        for target, by_collection in back.items()
    }
    views.roles = dict(roles)
    views.people_of = {k: list(v) for k, v in people_of.items()}


def _ledgers(full: Archive, shown: Archive, views: Views) -> None:
    views.hidden = frozenset(
        r.key for name, pool in full.records.items() for r in pool.values() if r.id not in shown.records[name]
    )
    meetings = views.ledger_meetings = _newest_first(full.records["meetings"].values())
    for meeting in meetings:
        views.attendance[meeting.id] = full.attendance(meeting)
    views.compliance = ledgers.compliance(full, views.today)
    for meeting in reversed(meetings):  # oldest first; a year's book holds the meetings held in it
        views.books.setdefault(meeting.data.org, {}).setdefault(meeting.data.date.year, []).append(meeting)
    views.completeness = completeness.missing(full)
    views.attendance_by_org, views.attendance_by_person, views.attendance_by_month = ledgers.attendance_by(
        views.attendance, meetings
    )
    views.all_actions = ledgers.actions(full, meetings, views.today)
    views.actions = [a for a in views.all_actions if a.meeting.key not in views.hidden]
    for item in views.actions:
        if item.open and item.owner:
            views.open_actions.setdefault(item.owner, []).append(item)
    views.scores = ledgers.scores(shown, views.sorted["assessments"])  # scores are content: published only
    views.metrics = ledgers.metric_history(views.sorted["achievements"], record_date)


def _neighbours(views: Views) -> None:
    by_org: dict[str, list[Record]] = defaultdict(list)
    for meeting in reversed(views.sorted["meetings"]):  # oldest first
        by_org[meeting.data.org].append(meeting)
    for meetings in by_org.values():
        for i, meeting in enumerate(meetings):
            previous = meetings[i - 1] if i else None
            following = meetings[i + 1] if i + 1 < len(meetings) else None
            views.neighbours[meeting.id] = (previous, following)


def derive_pages(full: Archive, records: list[Record], today: date, include_restricted: bool) -> tuple[Archive, Views]:
    """The archive and views to render the pages of `records` (no person or org) as from the whole
    archive `full` (restricted records included), made of just the records those pages read: the
    records each refers to and those referring to it (backlinks and their titles), every person
    and org (names, memberships: attendance), its org's meetings (neighbours), every achievement
    (metrics). The archive is published (restricted records left out) unless include_restricted."""
    keys = {r.key for r in records}
    assert not any(collection in ("people", "orgs") for collection, _ in keys)
    ids = {r.id for r in records}
    near = set(keys)
    for link in full.links:
        if (link.source[1] in ids and link.source in keys) or (link.target[1] in ids and link.target in keys):
            near |= {link.source, link.target}
    near |= {r.key for name in ("people", "orgs") for r in full.records[name].values()}
    orgs = {r.data.org for r in records if r.collection == "meetings"}
    near |= {r.key for r in full.records["meetings"].values() if r.data.org in orgs}
    if any(r.collection == "achievements" for r in records):
        near |= {r.key for r in full.records["achievements"].values()}
    counted = _within(full, near)
    shown = counted if include_restricted else published(counted)
    return shown, derive(shown, today, counted)


def _within(archive: Archive, keys: set[tuple[str, str]]) -> Archive:
    """archive with only the records of keys and the links between them."""
    ids = {i for _, i in keys}  # a record id's hash is kept, a key's is computed at each test
    return replace(
        archive,
        records={name: {i: r for i, r in pool.items() if r.key in keys} for name, pool in archive.records.items()},
        links=[link for link in archive.links if link.source[1] in ids and link.source in keys and link.target in keys],
        attached={key: files for key, files in archive.attached.items() if key in keys},
    )
