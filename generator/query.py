"""Searching the records themselves, for `zhibu search`: no build, exact substrings.

Chinese needs no segmentation here: every query word must occur in the
record's text (its fields plus the names of the people and orgs it refers to).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from .derive import record_date
from .model import COLLECTIONS, PartialDate, parse_partial_date
from .resolve import Archive
from .validate import Record
from .vocab import MEETING_TYPES


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...] = ()
    type: str | None = None
    org: str | None = None
    person: str | None = None
    start: date | None = None
    end: date | None = None
    tag: str | None = None


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def record_text(archive: Archive, record: Record, links: dict[tuple[str, str], set[tuple[str, str]]]) -> str:
    names = [archive.records[c][i].data.name for c, i in links.get(record.key, ()) if c in ("people", "orgs")]
    return normalise(" ".join([*_strings(record.data.model_dump(by_alias=True)), *names]))


def search(archive: Archive, query: Query) -> list[Record]:
    """Records matching every word and filter, newest first; undated records last."""
    links: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for link in archive.links:
        links.setdefault(link.source, set()).add(link.target)
    wanted_orgs = _orgs(archive, query.org)
    person = archive.get("people", query.person)
    words = [normalise(w) for w in query.words if normalise(w)]
    found = []
    for name in COLLECTIONS:
        for record in archive.records[name].values():
            targets = links.get(record.key, set())
            if query.type and not _is_type(record, query.type):
                continue
            if wanted_orgs is not None and not (targets & wanted_orgs or record.key in wanted_orgs):
                continue
            if person and ("people", person.id) not in targets and record.key != person.key:
                continue
            if query.tag and query.tag not in getattr(record.data, "tags", []):
                continue
            if (query.start or query.end) and not _within(record_date(record), query.start, query.end):
                continue
            if words:
                text = record_text(archive, record, links)
                if not all(w in text for w in words):
                    continue
            found.append(record)
    return sorted(found, key=lambda r: (record_date(r) or date.min, r.collection, r.id), reverse=True)


def _within(day: date | None, start: date | None, end: date | None) -> bool:
    return day is not None and (start is None or start <= day) and (end is None or day <= end)


def _orgs(archive: Archive, value: str | None) -> set[tuple[str, str]] | None:
    if value is None:
        return None
    return {("orgs", o) for org in archive.find_orgs(value) for o in archive.subtree(org.id)}


def _is_type(record: Record, wanted: str) -> bool:
    collection = COLLECTIONS[record.collection]
    kind = getattr(record.data, "type", None) or getattr(record.data, "kind", None)
    kind = kind or getattr(record.data, "category", None) or getattr(record.data, "level", None)
    return wanted in (record.collection, collection.label) or kind in (wanted, MEETING_TYPES.canonical(wanted))


def parse_bound(value: str, end: bool) -> date:
    """A --from/--to value: YYYY, YYYY-MM or YYYY-MM-DD; a partial --to means its last day."""
    partial: PartialDate = parse_partial_date(value)
    if not end:
        return partial.start
    if partial.day:
        return partial.start
    if partial.month:
        following = date(partial.year + (partial.month == 12), partial.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return date(partial.year, 12, 31)
