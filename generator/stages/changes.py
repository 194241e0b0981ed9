"""Which record pages must be rendered again: work proportional to the change.

A record page shows its record and what is near it in the reference graph: the records it
refers to (people's names, the org), those referring to it (a person's meetings), and what
those show in turn (a person's meetings list each meeting's org). So after a change, the
pages of the records within two references of a changed record are rendered again, in the
graph of this build and of the last one (a reference removed still counts). A meeting's page
shows nothing two references away (its record, what it refers to by name, its neighbours,
its attendance from the people and orgs), so it is rendered again only within one; the pages
of people, orgs and the rest show lists and tallies of their neighbours' neighbours. A meeting
and everyone expected at it are neighbours too (her page shows her attendance). Everything
else a page may read falls back to rendering every page:

- a changed person or org (names resolve references by text: a new namesake can turn
  another record's link into text without referring to either record);
- anything that is not a published record: archive.yaml, hand-written pages, attachments,
  git history of other files, restricted records (counted in ledgers and org pages), the
  day, the options, zhibu's code and templates.

Listing pages are kept by a digest of what each shows (`render.Listed`), whatever changed, as
long as everything besides the published records is as it was. Other pages that are not record
pages (indexes, ledgers, books of changed meetings) are always rendered.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from generator.stages.cache import code_version
from generator.stages.derive import Views
from generator.stages.load import Content
from generator.stages.publish import template_dir
from generator.stages.resolve import Archive

Key = tuple[str, str]
# Changing one of these renders every page (see the module's docstring).
EVERYWHERE = ("people", "orgs")
REACH = 2
ONE_STEP = ("meetings",)  # pages within REACH only of a change one reference away (see above)


@dataclass(frozen=True)
class Inputs:
    """What the record pages of one build were made from."""

    common: str  # digest of everything besides the published records
    records: dict[Key, str]  # digest of each published record's file and its history
    graph: dict[Key, set[Key]]  # references, both ways
    listings: dict[str, str] = field(default_factory=dict)  # listing page -> digest of what it shows

    def to_json(self) -> dict[str, Any]:
        near = {key: sorted(self.graph.get(key, ())) for key in self.records}
        records = [[*key, digest, near[key]] for key, digest in self.records.items()]
        return {"common": self.common, "records": records, "listings": dict(sorted(self.listings.items()))}

    @classmethod
    def from_json(cls, data: Any) -> Inputs | None:
        try:
            records = {(c, i): d for c, i, d, _ in data["records"]}
            graph = {(c, i): {(t[0], t[1]) for t in near} for c, i, _, near in data["records"]}
            listings = {str(path): str(digest) for path, digest in data["listings"].items()}
            return cls(str(data["common"]), records, graph, listings)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None


def inputs_of(archive: Archive, views: Views, content: Content, options: str) -> Inputs:
    records: dict[Key, str] = {}
    published: set[str] = set()
    for collection in archive.records.values():
        for record in collection.values():
            records[record.key] = _digest(record.file, content)
            published.add(record.file)
    common = hashlib.sha256(f"{options}\0{code_version()}\0{views.today}\0".encode())
    for rel in sorted(set(content.sources) - published):
        common.update(_digest(rel, content).encode())
    for rel in sorted(set(content.history) - published):
        common.update(f"{rel}\0{content.history[rel]}".encode())
    common.update(content.attachments().encode())
    for path in sorted(template_dir().rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            common.update(path.relative_to(template_dir()).as_posix().encode() + path.read_bytes())
    return Inputs(common.hexdigest(), records, _graph(archive, views))


def _digest(rel: str, content: Content) -> str:
    sha = content.sources.get(rel, b"")
    change = content.history.get(rel)
    return hashlib.sha256(rel.encode() + b"\0" + sha + f"\0{change}".encode()).hexdigest()


def _graph(archive: Archive, views: Views) -> dict[Key, set[Key]]:
    graph: dict[Key, set[Key]] = defaultdict(set)
    edges: list[tuple[Key, Key]] = [(s, t) for s, targets in archive.targets.items() for t in targets]
    for meeting, pair in views.neighbours.items():
        edges += [(("meetings", meeting), other.key) for other in pair if other is not None]
    # A meeting counts in the attendance of everyone expected at it (a member of a group under its
    # org, three references away), whose page shows that attendance.
    for meeting, attendance in views.attendance.items():
        edges += [(("meetings", meeting), ("people", person)) for person in attendance.expected]
    for source, target in edges:
        graph[source].add(target)
        graph[target].add(source)
    return dict(graph)


def unchanged(previous: Inputs | None, current: Inputs) -> set[Key]:
    """The records whose pages would come out as the last build made them."""
    if previous is None or previous.common != current.common:
        return set()
    changed = {
        key
        for key in previous.records.keys() | current.records.keys()
        if previous.records.get(key) != current.records.get(key)
    }
    if any(collection in EVERYWHERE for collection, _ in changed):
        return set()
    graphs = (previous.graph, current.graph)
    near = _within(changed, 1, graphs)
    near |= {key for key in _within(near, REACH - 1, graphs) if key[0] not in ONE_STEP}
    return set(current.records) - near


def listed_before(previous: Inputs | None, current: Inputs) -> dict[str, str]:
    """The listing pages of the last build, by their digest, when everything besides the published
    records is as it was (templates and code among it): a page with the same digest is the same page."""
    return previous.listings if previous is not None and previous.common == current.common else {}


def _within(start: set[Key], steps: int, graphs: Iterable[dict[Key, set[Key]]]) -> set[Key]:
    graphs = list(graphs)
    found, frontier = set(start), set(start)
    for _ in range(steps):
        frontier = {n for key in frontier for g in graphs for n in g.get(key, ())} - found
        found |= frontier
    return found
