"""Record completeness (记录完整性): which parts a complete meeting record carries, and suspected duplicates.

Defaults follow the 三会一课 guide (会前准备; 会中学习、汇报、讨论、总结、定人定责; 会后落实) and what
inspectors look for; archive.yaml `completeness` replaces any scope's list. Computed on the full
archive, so restricted meetings are checked and counted like any other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from generator.diagnostics import Diagnostic, warning
from generator.stages.resolve import Archive
from generator.stages.validate import Record
from generator.vocab import ALL_MEETINGS

# scope (全部 or a meeting type) -> parts a complete record has; 全部 applies to every type.
DEFAULT_PARTS: dict[str, tuple[str, ...]] = {
    ALL_MEETINGS: ("时间", "地点", "主持人", "记录人", "实到人员", "缺席原因", "议程", "会议总结", "责任人", "期限"),
    "支委会": ("表决",),
    "党员大会": ("表决",),
    "党课": ("授课人", "题目"),
    "主题党日": ("题目",),
}

# Parts of the record as a whole: part -> (YAML field, present?)
_WHOLE: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "时间": ("time", lambda d: bool(d.time and "-" in d.time)),
    "地点": ("location", lambda d: bool(d.location)),
    "主持人": ("host", lambda d: bool(d.host)),
    "记录人": ("recorder", lambda d: bool(d.recorder)),
    "实到人员": ("attendees", lambda d: bool(d.attendees)),
    "议程": ("agenda", lambda d: bool(d.agenda)),
    "会议总结": ("summary", lambda d: bool(d.summary)),
    "会前准备": ("preparation", lambda d: bool(d.preparation)),
    "授课人": ("lecturer", lambda d: bool(d.lecturer)),
    "题目": ("topic", lambda d: bool(d.topic)),
    "决议": ("decisions", lambda d: bool(d.decisions)),
}
# Parts of each list item: part -> (YAML list, item field, present?)
_ITEMS: dict[str, tuple[str, str, Callable[[Any], bool]]] = {
    "缺席原因": ("absent", "reason", lambda a: bool(a.reason)),
    "表决": ("decisions", "votes", lambda d: d.votes is not None),
    "责任人": ("actions", "owner", lambda a: bool(a.owner)),
    "期限": ("actions", "due", lambda a: bool(a.due)),
}
LABELS = {"时间": "时间（起止）", "表决": "决议的表决票数", "责任人": "落实事项的责任人", "期限": "落实事项的期限"}


def parts(archive: Archive) -> dict[str, tuple[str, ...]]:
    """Scope -> required parts, the archive's settings over the defaults."""
    merged = dict(DEFAULT_PARTS)
    for scope, required in (archive.info.completeness or {}).items():
        merged[scope] = tuple(required)
    return merged


def required(rules: dict[str, tuple[str, ...]], meeting_type: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(rules.get(ALL_MEETINGS, ()) + rules.get(meeting_type, ())))


@dataclass(frozen=True)
class Gap:
    """One missing part: where it is missing (a field, or one item of a list)."""

    part: str
    loc: tuple[str | int, ...]

    @property
    def label(self) -> str:
        return LABELS.get(self.part, self.part)


def gaps(meeting: Record, needed: tuple[str, ...]) -> list[Gap]:
    data, found = meeting.data, []
    for part in needed:
        if part in _WHOLE:
            field, present = _WHOLE[part]
            if not present(data):
                found.append(Gap(part, (field,)))
        else:
            name, item_field, present = _ITEMS[part]
            found += [
                Gap(part, (name, i, item_field)) for i, item in enumerate(getattr(data, name)) if not present(item)
            ]
    return found


def missing(archive: Archive) -> dict[str, list[Gap]]:
    """Meeting id -> its gaps, for every meeting (restricted ones too)."""
    rules = parts(archive)
    return {m.id: gaps(m, required(rules, m.data.type)) for m in archive.records["meetings"].values()}


def warnings(archive: Archive, found: dict[str, list[Gap]]) -> list[Diagnostic]:
    result = []
    meetings = archive.records["meetings"]
    for meeting_id, meeting_gaps in found.items():
        meeting = meetings[meeting_id]
        # A part whose key is written but left empty is warned at that key; parts with no key at all,
        # together at the top of the file.
        typed = [g for g in meeting_gaps if len(g.loc) > 1 or g.loc in meeting.raw.lines]
        whole = [g.label for g in meeting_gaps if g not in typed]
        if whole:
            result.append(warning(meeting.file, 1, "", f"记录不完整：缺少{'、'.join(whole)}"))
        for gap in typed:
            field = ".".join(map(str, gap.loc))
            result.append(warning(meeting.file, meeting.line(*gap.loc[:2]), field, f"记录不完整：缺少{gap.label}"))
    return result + list(duplicates(archive))


def duplicates(archive: Archive) -> Iterator[Diagnostic]:
    """Suspected duplicates: the same org, type and date, or the same title; the later file is warned."""
    by_key: dict[tuple[str, str, Any], list[Record]] = defaultdict(list)
    by_title: dict[str, list[Record]] = defaultdict(list)
    for meeting in archive.records["meetings"].values():
        d = meeting.data
        by_key[(d.org, d.type, d.date)].append(meeting)
        by_title[d.title].append(meeting)
    for groups, reason in ((by_key, "组织、类型和日期相同"), (by_title, "标题相同")):
        for group in groups.values():
            first, *others = sorted(group, key=lambda m: m.file)
            for other in others:
                yield warning(other.file, other.line("title"), "title", f"疑似重复记录：与 {first.file} {reason}")
