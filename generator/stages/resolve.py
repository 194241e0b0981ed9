"""Stage 3, resolve: references between records, org structure, attachments, 应到.

The result is the archive graph: published records, the links between them and
the membership queries that later stages ask (who belonged where on a date).
Restricted records are checked like any other, then left out of the graph
unless the build includes them.
"""

from __future__ import annotations

import difflib
import types
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property, partial
from inspect import isclass
from typing import Annotated, Any, Union, get_args, get_origin

from generator.diagnostics import Diagnostic, error, quoted, warning
from generator.model import COLLECTIONS, Attachment, MarkdownSyntax, Model, Ref
from generator.orgnames import OrgNames, closest
from generator.orgnames import normalise as normalise_name
from generator.stages.history import Change
from generator.stages.load import Content, Loc, Page
from generator.stages.markdown_safe import link_problem, links_in, offset_of, page_base, page_of
from generator.stages.validate import Record, Validated
from generator.vocab import PARENT_KINDS, PARTY_MEMBER_STATUSES

Step = tuple[str, str] | None  # (attribute, YAML key), or None for "each list item"


@dataclass(frozen=True)
class Link:
    """One reference from a record field to another record."""

    source: tuple[str, str]
    field: str  # top-level field name as written in YAML, e.g. "attendees"
    target: tuple[str, str]


@dataclass
class Archive:
    """The resolved archive: what later stages read."""

    info: Any  # model.Archive
    records: dict[str, dict[str, Record]]
    links: list[Link]
    pages: list[Page]
    include_restricted: bool = True
    people_by_name: dict[str, list[str]] = field(default_factory=dict)
    history: dict[str, Change] = field(default_factory=dict)  # content-relative path -> last commit
    attached: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # record key -> its attachments

    @property
    def files(self) -> set[str]:
        """The attachments to publish, relative to files/."""
        return {file for files in self.attached.values() for file in files}

    def get(self, collection: str, ref: str | None) -> Record | None:
        if ref is None:
            return None
        found = self.records[collection].get(ref)
        if found is None and collection == "people":
            ids = self.people_by_name.get(ref, [])
            found = self.records["people"].get(ids[0]) if len(ids) == 1 else None
        return found

    @cached_property
    def page_paths(self) -> frozenset[str]:
        """The hand-written pages, as paths under pages/ without .md."""
        return frozenset(page.path for page in self.pages)

    @cached_property
    def targets(self) -> dict[tuple[str, str], set[tuple[str, str]]]:
        """record key -> keys of the records it refers to."""
        found: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        for link in self.links:
            found[link.source].add(link.target)
        return dict(found)

    @cached_property
    def org_names(self) -> OrgNames:
        return OrgNames.build(self.records["orgs"])

    def find_orgs(self, value: str | None) -> list[Record]:
        """Every org `value` names (id, name, alias or short name): one, several when ambiguous, or none."""
        return [self.records["orgs"][i] for i in self.org_names.matches(value)] if value else []

    def find_org(self, value: str | None) -> Record | None:
        """The one org `value` names, for people typing on the command line or in a spreadsheet.

        None when it names no org or several; `org_suggestions` then says which were meant.
        """
        found = self.find_orgs(value)
        return found[0] if len(found) == 1 else None

    def org_error(self, value: str) -> str:
        """Why find_org found no one org for `value`, with "是不是…" (Chinese, for error messages)."""
        names = "、".join(f"“{self.org_names.display[i]}”（{i}）" for i in self.org_names.suggestions(value))
        if len(self.find_orgs(value)) > 1:
            return f"“{value}”可指{names}，请写全称或编号"
        return f"找不到组织“{value}”" + (f"，是不是{names}？" if names else "")

    def person_error(self, value: str) -> str:
        """Why `value` names no one person, with "是不是…" as org_error words it (Chinese, for error messages)."""
        same = self.people_by_name.get(value, [])
        if len(same) > 1:
            return f"有 {len(same)} 人同名“{value}”，请写编号：{'、'.join(sorted(same))}"
        owners: dict[str, list[str]] = defaultdict(list)
        for person_id, person in self.records["people"].items():
            for name in {normalise_name(person_id), normalise_name(person.data.name)}:
                owners[name].append(person_id)
        display = {person_id: person.data.name for person_id, person in self.records["people"].items()}
        names = "、".join(f"“{display[i]}”（{i}）" for i in closest(value, owners, display))
        return f"找不到人员“{value}”" + (f"，是不是{names}？" if names else "")

    @cached_property
    def _children(self) -> dict[str, list[Record]]:
        found: dict[str, list[Record]] = defaultdict(list)
        for org in self.records["orgs"].values():
            if org.data.parent:
                found[org.data.parent].append(org)
        return found

    @cached_property
    def _memberships(self) -> dict[str, list[tuple[Record, Any]]]:
        """org id -> (party member, membership) pairs."""
        found: dict[str, list[tuple[Record, Any]]] = defaultdict(list)
        for person in self.records["people"].values():
            if person.data.status in PARTY_MEMBER_STATUSES:
                for m in person.data.memberships:
                    found[m.org].append((person, m))
        return found

    def children(self, org_id: str) -> list[Record]:
        return self._children.get(org_id, [])

    def subtree(self, org_id: str) -> list[str]:
        """The org and every org under it."""
        result, todo = [], [org_id]
        while todo:
            current = todo.pop()
            result.append(current)
            todo.extend(c.id for c in self.children(current))
        return result

    def members_on(self, org_ids: list[str], day: date) -> list[str]:
        """Party members belonging to any of org_ids on day."""
        found = {
            person.id: None
            for org_id in org_ids
            for person, m in self._memberships.get(org_id, [])
            if _covers(m.from_, m.to, day) and not (person.data.joined and person.data.joined.start > day)
        }
        return sorted(found)

    def committee_on(self, org_id: str, day: date) -> list[str]:
        org = self.records["orgs"].get(org_id)
        if org is None:
            return []
        ids = (self.get("people", o.person) for o in org.data.officers if _covers(o.from_, o.to, day))
        return list(dict.fromkeys(p.id for p in ids if p))

    def expected(self, meeting: Record) -> list[str]:
        """应到: derived from the committee or the memberships on the meeting date."""
        data = meeting.data
        if data.type == "其他":
            return []
        if data.type == "支委会":
            return self.committee_on(data.org, data.date)
        return self.members_on(self.subtree(data.org), data.date)

    @cached_property
    def _attendance(self) -> dict[str, Attendance]:
        return {}

    def attendance(self, meeting: Record) -> Attendance:
        """应到, 实到, 缺席, 列席 and the unaccounted of a meeting, by person id; once per archive
        (resolve checks it, derive counts it)."""
        found = self._attendance.get(meeting.id)
        if found is None:
            found = self._attendance[meeting.id] = self._attendance_of(meeting)
        return found

    def _attendance_of(self, meeting: Record) -> Attendance:
        data = meeting.data
        expected = self.expected(meeting)
        wanted = set(expected)
        attendees = [p.id for p in (self.get("people", r) for r in data.attendees) if p]
        absent = [(p.id, a.reason) for a in data.absent if (p := self.get("people", a.person))]
        accounted = set(attendees) | {p for p, _ in absent}
        return Attendance(
            expected=expected,
            present=[p for p in attendees if p in wanted],
            absent=absent,
            extra=[p for p in attendees if p not in wanted],
            unaccounted=[p for p in expected if p not in accounted],
        )


@dataclass(frozen=True)
class Attendance:
    expected: list[str]  # person ids, 应到
    present: list[str]  # expected and present, 实到
    absent: list[tuple[str, str | None]]  # (person id, reason)
    extra: list[str]  # present but not expected: counted like 列席
    unaccounted: list[str]  # expected, neither present nor excused

    @property
    def rate(self) -> float | None:
        return len(self.present) / len(self.expected) if self.expected else None


def _covers(start: date | None, end: date | None, day: date) -> bool:
    return (start is None or start <= day) and (end is None or day <= end)


# ---------------------------------------------------------------- reference walking


Marker = Ref | Attachment | MarkdownSyntax


@cache
def _marked_paths(model: type[Model]) -> list[tuple[tuple[Step, ...], Marker]]:
    """Every path in a model that leads to a Ref, Attachment or MarkdownSyntax marker."""
    found = []
    for name, info in model.model_fields.items():
        step: Step = (name, info.alias or name)
        for steps, marker in _markers(info.annotation, tuple(info.metadata)):
            found.append(((step, *steps), marker))
    return found


def _markers(tp: Any, metadata: tuple[Any, ...]) -> Iterator[tuple[tuple[Step, ...], Any]]:
    for item in metadata:
        if isinstance(item, Marker):
            yield (), item
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is Annotated:
        yield from _markers(args[0], tuple(tp.__metadata__))
    elif origin in (Union, types.UnionType):
        for arg in args:
            yield from _markers(arg, ())
    elif origin is list:
        for steps, marker in _markers(args[0], ()):
            yield (None, *steps), marker
    elif isclass(tp) and issubclass(tp, Model):
        for steps, marker in _marked_paths(tp):
            yield steps, marker


def marked_values(record: Record) -> Iterator[tuple[Loc, str, Marker]]:
    """(location, value, marker) for every reference, attachment and Markdown text in a record."""
    for steps, marker in _marked_paths(type(record.data)):
        yield from _walk(record.data, steps, (), marker)


def _walk(value: Any, steps: tuple[Step, ...], loc: Loc, marker: Any) -> Iterator[Any]:
    if value is None:
        return
    if not steps:
        yield loc, value, marker
        return
    step, rest = steps[0], steps[1:]
    if step is None:
        for i, item in enumerate(value):
            yield from _walk(item, rest, (*loc, i), marker)
    else:
        yield from _walk(getattr(value, step[0], None), rest, (*loc, step[1]), marker)  # unset in partial records


# ---------------------------------------------------------------- resolve


def resolve(validated: Validated, content: Content) -> tuple[Archive | None, list[Diagnostic]]:
    """The full archive, restricted records included, and every reference problem."""
    diagnostics: list[Diagnostic] = []
    # With errors in archive.yaml, its valid fields still let every reference be checked.
    info = validated.archive or next((r for r in validated.partial if r.collection == "archive"), None)
    if info is None:
        return None, diagnostics
    records = validated.records
    people_by_name: dict[str, list[str]] = defaultdict(list)
    for person in records["people"].values():
        people_by_name[person.data.name].append(person.id)
    archive = Archive(info.data, records, [], content.pages, True, dict(people_by_name), content.history)
    every = [*([validated.archive] if validated.archive else []), *(r for c in records.values() for r in c.values())]
    for record, linked in [*((r, True) for r in every), *((r, False) for r in validated.partial)]:
        _walk_references(archive, record, linked, content.files, diagnostics)
    for page in content.pages:
        diagnostics.extend(_check_links(page.file, partial(_line_in, page.text), "", page.text, page_base(page.path)))
    if validated.archive is not None:
        _check_orgs(validated.archive, records, diagnostics)
    _check_aliases(archive, diagnostics)
    _check_memberships(archive, diagnostics)
    _check_meetings(archive, diagnostics)
    return (archive if validated.archive is not None else None), diagnostics


def _walk_references(
    archive: Archive, record: Record, linked: bool, files: set[str], diagnostics: list[Diagnostic]
) -> None:
    """Check a record's references, attachments and Markdown links; when linked, add its links
    and attachments to the archive."""
    for loc, value, marker in marked_values(record):
        if isinstance(marker, Attachment):
            _check_attachment(record, loc, value, files, diagnostics)
            if linked and record.collection != "archive":
                archive.attached.setdefault(record.key, []).append(str(value))
            continue
        if isinstance(marker, MarkdownSyntax):
            line_at = partial(record.raw.line_at, loc, within=value)
            field = ".".join(map(str, loc))
            diagnostics.extend(_check_links(record.file, line_at, field, value, pages=archive.page_paths))
            continue
        target = _check_ref(archive, record, loc, value, marker, diagnostics)
        if target is not None and linked and record.collection != "archive":
            archive.links.append(Link(record.key, str(loc[0]), (marker.collection, target)))


# Saving a person or an org can change how references elsewhere resolve (a name) and what other
# records are checked against (memberships, officers, org kinds).
SHARED = ("people", "orgs")


def resolve_saved(previous: Archive, saved: list[Record], content: Content) -> tuple[Archive, list[Diagnostic]] | None:
    """What resolve() of the whole archive gives when only `saved` changed since `previous` (a full
    archive, restricted records included): the saved records' references are walked again, every
    other record's links are kept. The diagnostics are the saved records' own. None when a saved
    record can change another's references or checks: a person or org, or a new record of a
    collection references point to (its id may turn text written elsewhere into a link)."""
    keys = {r.key for r in saved}
    for record in saved:
        new = record.id not in previous.records[record.collection]
        if record.collection in SHARED or (new and record.collection in _referred()):
            return None
    records = {name: dict(pool) for name, pool in previous.records.items()}
    for record in saved:
        records[record.collection][record.id] = record
    ids = {r.id for r in saved}  # a record id's hash is kept, a key's is computed at each test
    links = [link for link in previous.links if link.source[1] not in ids or link.source not in keys]
    attached = {key: files for key, files in previous.attached.items() if key not in keys}
    archive = Archive(
        previous.info, records, links, content.pages, True, previous.people_by_name, content.history, attached
    )
    diagnostics: list[Diagnostic] = []
    for record in saved:
        _walk_references(archive, record, True, content.files, diagnostics)
    meetings = [r for r in saved if r.collection == "meetings"]
    _check_meetings(archive, diagnostics, meetings)
    return archive, diagnostics


@cache
def _referred() -> set[str]:
    """The collections some reference points to."""
    return {
        marker.collection
        for collection in COLLECTIONS.values()
        for _, marker in _marked_paths(collection.model)
        if isinstance(marker, Ref)
    }


def published(archive: Archive) -> Archive:
    """The archive without restricted records: no record, link or attachment of theirs remains."""
    hidden = {
        r.key for c in archive.records.values() for r in c.values() if getattr(r.data, "visibility", None) == "受限"
    }
    records = {name: {i: r for i, r in pool.items() if r.key not in hidden} for name, pool in archive.records.items()}
    links = [lk for lk in archive.links if lk.source not in hidden and lk.target not in hidden]
    attached = {key: files for key, files in archive.attached.items() if key not in hidden}
    return Archive(
        archive.info,
        records,
        links,
        archive.pages,
        False,
        archive.people_by_name,
        archive.history,
        attached,
    )


def _check_ref(
    archive: Archive,
    record: Record,
    loc: Loc,
    value: str,
    marker: Ref,
    diagnostics: list[Diagnostic],
) -> str | None:
    pool = archive.records[marker.collection]
    if value in pool:
        return value
    field = ".".join(map(str, loc))
    line = record.line(*loc)
    if marker.collection == "people":
        ids = archive.people_by_name.get(value, [])
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            diagnostics.append(
                error(record.file, line, field, f"有 {len(ids)} 人同名“{value}”，请写编号：{'、'.join(sorted(ids))}")
            )
            return None
    if marker.free:
        return None
    what = {"people": "人员", "orgs": "组织", "projects": "项目"}[marker.collection]
    names = list(pool) + (list(archive.people_by_name) if marker.collection == "people" else [])
    hint = difflib.get_close_matches(value, names, n=1, cutoff=0.6)
    suffix = f"，是不是“{hint[0]}”？" if hint else ""
    diagnostics.append(error(record.file, line, field, f"找不到{what}“{value}”{suffix}"))
    return None


def safe_relative_path(value: str) -> bool:
    """True when value is a plain relative path that cannot leave its folder."""
    normal = unicodedata.normalize("NFKC", value)
    if any(c in normal for c in "\\%\0:") or normal.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in normal.split("/"))


def _check_links(
    file: str,
    line_at: Callable[[int], int],
    field: str,
    text: str,
    base: str = "",
    pages: frozenset[str] | None = None,
) -> Iterator[Diagnostic]:
    """Every link and image in Markdown text that breaks the rules, at its own line
    (line_at: the line of a character of text). With pages (record text), a link to a
    hand-written page's file must name one of them."""
    for image, url in links_in(text):
        problem = link_problem(url, image=image, base=base)
        page = page_of(url) if pages is not None and not image else None
        if not problem and page is not None and page not in pages:
            problem = f"链接{quoted(url)}指向的页面不存在：content/pages/ 下没有 {page}.md"
            problem += "".join(f"，是不是“pages/{m}.md”？" for m in difflib.get_close_matches(page, pages, 1))
        if problem:
            yield error(file, line_at(offset_of(text, url)), field, problem)


def _line_in(text: str, at: int) -> int:
    """The 1-based line of text's character at."""
    return 1 + text.count("\n", 0, at)


def _check_attachment(record: Record, loc: Loc, value: str, files: set[str], diagnostics: list[Diagnostic]) -> None:
    field = ".".join(map(str, loc))
    if not safe_relative_path(value):
        diagnostics.append(
            error(
                record.file,
                record.line(*loc),
                field,
                f"附件路径“{value}”无效：应为 files/ 下的相对路径，不能含 ..、\\ 或 %",
            )
        )
    elif value not in files:
        diagnostics.append(error(record.file, record.line(*loc), field, f"找不到附件 files/{value}"))


def _check_orgs(archive: Record, records: dict[str, dict[str, Record]], diagnostics: list[Diagnostic]) -> None:
    orgs = records["orgs"]
    owner = archive.data.owner
    for org in orgs.values():
        data = org.data
        if org.id == owner:
            continue
        if data.parent is None:
            diagnostics.append(error(org.file, org.line(), "parent", "缺少上级组织 parent（只有档案所属组织可以不写）"))
            continue
        parent = orgs.get(data.parent)
        if parent and parent.data.kind not in PARENT_KINDS[data.kind]:
            allowed = "或".join(sorted(PARENT_KINDS[data.kind]))
            diagnostics.append(
                error(
                    org.file,
                    org.line("parent"),
                    "parent",
                    f"{data.kind}的上级应为{allowed}，而“{data.parent}”是{parent.data.kind}",
                )
            )
        seen = {org.id}
        current = parent
        while current is not None and current.data.parent:
            if current.data.parent in seen:
                diagnostics.append(error(org.file, org.line("parent"), "parent", "上级组织形成了循环"))
                break
            seen.add(current.data.parent)
            current = orgs.get(current.data.parent)


def _check_aliases(archive: Archive, diagnostics: list[Diagnostic]) -> None:
    """An alias names one org: never another org's id or name, never an alias of another org too."""
    for org in archive.records["orgs"].values():
        for i, alias in enumerate(org.data.aliases):
            others = [o for o in archive.find_orgs(alias) if o.id != org.id]
            if others:
                names = "、".join(o.data.name for o in others)
                message = f"别名“{alias}”已用于“{names}”，别名只能指一个组织"
                diagnostics.append(error(org.file, org.line("aliases", i), f"aliases.{i}", message))


def _check_memberships(archive: Archive, diagnostics: list[Diagnostic]) -> None:
    orgs = archive.records["orgs"]
    for person in archive.records["people"].values():
        for i, membership in enumerate(person.data.memberships):
            org = orgs.get(membership.org)
            if org and org.data.kind not in ("党支部", "党小组"):
                diagnostics.append(
                    error(
                        person.file,
                        person.line("memberships", i, "org"),
                        f"memberships.{i}.org",
                        f"组织关系应在党支部或党小组，“{org.data.name}”是{org.data.kind}",
                    )
                )


def _check_meetings(archive: Archive, diagnostics: list[Diagnostic], meetings: list[Record] | None = None) -> None:
    """The checks of each meeting (every meeting of the archive by default) against its org and people."""
    for meeting in archive.records["meetings"].values() if meetings is None else meetings:
        data = meeting.data
        org = archive.records["orgs"].get(data.org)
        if org is None:
            continue
        if data.type == "党小组会" and org.data.kind != "党小组":
            diagnostics.append(
                error(
                    meeting.file,
                    meeting.line("org"),
                    "org",
                    f"党小组会应由党小组召开，“{org.data.name}”是{org.data.kind}",
                )
            )
        att = archive.attendance(meeting)
        if data.type != "其他":
            extra = set(att.extra)
            for i, ref in enumerate(data.attendees):
                person = archive.get("people", ref)
                if person and person.id in extra:
                    diagnostics.append(
                        warning(
                            meeting.file,
                            meeting.line("attendees", i),
                            f"attendees.{i}",
                            f"{who(person)}当天不是应到人员，按列席处理，不计入出席率",
                        )
                    )
        if att.unaccounted:
            names = "、".join(who(archive.records["people"][p]) for p in att.unaccounted)
            diagnostics.append(
                warning(
                    meeting.file, meeting.line("attendees"), "attendees", f"应到人员既不在实到也不在缺席中：{names}"
                )
            )
        diagnostics.extend(_presiding_absent(archive, meeting, att))


def who(person: Record) -> str:
    """A person as check's messages name them: 姓名（编号）, clear with homonyms and without a lookup."""
    return f"{person.data.name}（{person.id}）"


def _presiding_absent(archive: Archive, meeting: Record, att: Attendance) -> Iterator[Diagnostic]:
    """主持人 and 记录人 were there: warn when one is listed in 缺席, or (实到 given) neither in 实到 nor 列席."""
    data = meeting.data
    absent = {p for p, _ in att.absent}
    present = set(att.present) | set(att.extra)
    present |= {p.id for p in (archive.get("people", g) for g in data.guests) if p}
    for key, label in (("host", "主持人"), ("recorder", "记录人")):
        person = archive.get("people", getattr(data, key))
        if person is None:
            continue
        if person.id in absent:
            yield warning(meeting.file, meeting.line(key), key, f"{label}{who(person)}同时列在缺席中，请核对")
        elif data.attendees and person.id not in present:
            yield warning(meeting.file, meeting.line(key), key, f"{label}{who(person)}不在实到人员或列席中，请核对")
