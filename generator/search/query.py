"""Searching the records themselves, for `zhibu search`: no build, exact substrings.

The query is understood as the search page understands it (generator/understand.py):
org names, date phrases and type words become filters, the rest are words. Chinese
needs no segmentation here: a word matches where it occurs whole in the record's text
(its fields plus the names of the people and orgs it refers to). Records holding
every word rank first — in the title, then among title, tags, agenda titles, org and
people names, then anywhere — newest first within a rank; records holding only some
of the words (at least half of their character pairs) are returned apart, as
partial matches, most of the query first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from generator.model import COLLECTIONS, PartialDate, parse_partial_date
from generator.search.keys import normalise
from generator.search.understand import Understood, facets, respelling, role_keys, understand, vocabulary
from generator.stages.derive import record_date, record_title
from generator.stages.resolve import Archive
from generator.stages.validate import Record
from generator.vocab import MEETING_TYPES


class UnknownFilter(ValueError):
    """An --org or --person that names no one record; the message says what may have been meant."""


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...] = ()
    type: str | None = None
    org: str | None = None
    person: str | None = None
    start: date | None = None
    end: date | None = None
    tag: str | None = None


@dataclass(frozen=True)
class Found:
    understood: Understood
    full: list[Record]  # records holding every word, best first
    partial: list[Record]  # records holding some of the words, when words were given
    suggested: str | None = None  # the query with a mistyped name corrected, when nothing held every word
    respelled: bool = False  # the lists are the suggested query's: it found what the typed one did not


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def _names(archive: Archive, record: Record) -> list[str]:
    targets = archive.targets.get(record.key, ())
    return [archive.records[c][i].data.name for c, i in targets if c in ("people", "orgs")]


def record_text(archive: Archive, record: Record) -> str:
    return normalise(" ".join([*_strings(record.data.model_dump(by_alias=True)), *_names(archive, record)]))


def _strong_text(archive: Archive, record: Record, tags_only: bool = False) -> str:
    """Title and tags; unless tags_only also agenda titles, line/crew/post and the names referred to.

    These are the search page's key index (generator/search/keys.py).
    """
    data = record.data
    keys = [record_title(archive, record), *getattr(data, "tags", [])]
    if not tags_only:
        keys += [getattr(data, name, None) or "" for name in ("line", "crew", "post")]
        keys += [*(item.title for item in getattr(data, "agenda", [])), *_names(archive, record)]
        keys += role_keys(archive, record)
    return normalise(" ".join(keys))


def _rank(archive: Archive, record: Record, words: list[str]) -> int | None:
    """Where every word occurs: 0 the title is the query, 1 title, 2 title and tags, 3 key fields, 4 anywhere.

    None when some word does not occur at all.
    """
    title = normalise(record_title(archive, record))
    if title == "".join(words):
        return 0
    for rank, text in enumerate(
        (title, _strong_text(archive, record, tags_only=True), _strong_text(archive, record)), start=1
    ):
        if all(w in text for w in words):
            return rank
    return 4 if all(w in record_text(archive, record) for w in words) else None


def search(archive: Archive, query: Query) -> Found:
    """Records matching the filters, ranked by where the words occur; newest first within a rank.

    When no record holds every word and a word looks like a mistyped name, the query with the name
    is suggested, and its records are returned instead when it finds some (as the search page does).
    """
    words = vocabulary(archive)
    found = _search(archive, query, understand(" ".join(query.words), words))
    people = [person.data.name for person in archive.records["people"].values()]
    suggested = respelling(" ".join(query.words), found.understood, [*words.terms, *people])
    if found.full or suggested is None:
        return found
    again = _search(archive, query, understand(suggested, words))
    return replace(again, suggested=suggested, respelled=True) if again.full else replace(found, suggested=suggested)


def _search(archive: Archive, query: Query, understood: Understood) -> Found:
    wanted_orgs = _orgs(archive, query.org)
    person = _person(archive, query.person)
    words = [w for w in map(normalise, understood.words) if w]
    named = {("orgs", i) for i, _ in understood.named}
    pairs = _pairs(words)
    full: list[tuple[int, Record]] = []
    partial: list[tuple[float, Record]] = []
    for name in COLLECTIONS:
        for record in archive.records[name].values():
            targets = archive.targets.get(record.key, set())
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
            if not understood.matches(facets(archive, record)):
                continue
            rank = _rank(archive, record, words) if words else (-1 if record.key in named else 4)
            if rank is not None:
                full.append((rank, record))
            elif (share := _share(pairs, record_text(archive, record))) >= PARTIAL:
                partial.append((-share, record))
    return Found(understood, _ranked(full), _ranked(partial))


# A record holding at least this share of the query's character pairs is a partial match.
PARTIAL = 0.5


def _pairs(words: list[str]) -> set[str]:
    return {w[i : i + 2] for w in words for i in range(max(1, len(w) - 1))}


def _share(pairs: set[str], text: str) -> float:
    return sum(p in text for p in pairs) / len(pairs) if pairs else 0.0


def _ranked(found: list[tuple[Any, Record]]) -> list[Record]:
    """By the first item, ascending; newest first among equals."""
    newest = sorted(found, key=lambda item: _newest(item[1]), reverse=True)
    return [r for _, r in sorted(newest, key=lambda item: item[0])]


def _newest(record: Record) -> tuple[date, str, str]:
    """Sort key, reversed for newest first; undated records last."""
    return (record_date(record) or date.min, record.collection, record.id)


def _within(day: date | None, start: date | None, end: date | None) -> bool:
    return day is not None and (start is None or start <= day) and (end is None or day <= end)


def _orgs(archive: Archive, value: str | None) -> set[tuple[str, str]] | None:
    if value is None:
        return None
    org = archive.find_org(value)
    if org is None:
        raise UnknownFilter(archive.org_error(value))
    return {("orgs", o) for o in archive.subtree(org.id)}


def _person(archive: Archive, value: str | None) -> Record | None:
    if value is None:
        return None
    found = archive.get("people", value)
    if found is not None:
        return found
    raise UnknownFilter(archive.person_error(value))


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
