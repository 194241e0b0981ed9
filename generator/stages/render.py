"""Stage 5, render: the archive and its views through Jinja templates into Markdown.

The result is a dict of docs-relative paths to page text; nothing here writes
files. All presentation lives in templates/; this module only supplies safe
filters and link helpers. Record text is data, never a template.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import astuple, dataclass, field, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2

from generator.editing.schema import field_reference
from generator.ledgers import compute as ledgers
from generator.ledgers import export
from generator.ledgers import pages as ledger_pages
from generator.model import COLLECTIONS, CoveredPeriod
from generator.search.keys import search_keys
from generator.search.understand import facets, role_keys, vocabulary
from generator.stages.derive import DATED, Views, date_label, record_date, record_title
from generator.stages.load import Page
from generator.stages.markdown_safe import to_html
from generator.stages.publish import KEPT, Kept, owns
from generator.stages.resolve import Archive
from generator.stages.validate import Record

PER_PAGE = 50
# How a person or org appears in a record, by (collection, field); "" matches any collection.
ROLE_LABELS = {
    ("", "host"): "主持",
    ("", "recorder"): "记录",
    ("", "lecturer"): "授课",
    ("", "attendees"): "出席",
    ("", "absent"): "缺席",
    ("", "guests"): "列席",
    ("", "actions"): "会后落实责任人",
    ("", "recipients"): "获奖",
    ("", "leader"): "负责人",
    ("", "members"): "成员",
    ("", "mentor"): "导师",
    ("", "subject"): "考核对象",
    ("achievements", "people"): "完成人",
    ("activities", "people"): "参加",
}

_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]()|#])")  # "(" too: `relative_links` never sees "](" in text


def text(value: Any) -> str:
    """Plain text for inline Markdown: no markup, no HTML, one line."""
    escaped = html.escape(str(value), quote=False)
    return _INLINE_SPECIALS.sub(r"\\\1", " ".join(escaped.split()))


@jinja2.pass_context
def markdown(context: jinja2.runtime.Context, value: Any) -> str:
    """Record Markdown as a block of safe HTML (markdown_safe decides what is code, link or HTML).

    Its relative links start from the site root, so they are made relative to this page;
    "](" is written as an entity so `relative_links` never rewrites text inside it."""
    return _markdown_block(str(value).strip(), "../" * site_depth(context["page_path"]))


@lru_cache(maxsize=100_000)
def _markdown_block(value: str, prefix: str) -> str:
    """Kept per process: `zhibu serve` converts only the text that changed since its last build."""
    converted = to_html(value, prefix).replace("](", "&#93;(")
    return f'<div class="zhibu-md">\n{converted}\n</div>'


def site_depth(path: str) -> int:
    """How many folders deep a docs page is served (directory URLs: meetings/m1.md is meetings/m1/)."""
    return path.count("/") + (0 if path == "index.md" or path.endswith("/index.md") else 1)


def plain(value: Any) -> str:
    """Plain text inside raw HTML: escaped, one line."""
    return html.escape(" ".join(str(value).split()), quote=False)


def attr(value: Any) -> str:
    return html.escape(str(value), quote=True)


def nowrap(value: Any) -> str:
    """A date or period kept on one line (browsers break "2026-11-26" at its hyphens)."""
    return f'<span class="zhibu-nowrap">{html.escape(str(value), quote=False)}</span>' if value else ""


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def url(collection: str, record_id: str) -> str:
    return f"/{collection}/{record_id}.md"


def book_url(org_id: str, year: int) -> str:
    """An org's printable 会议记录本 of one year."""
    return f"/orgs/{org_id}/print/{year}.md"


@dataclass(frozen=True)
class Row:
    """A record in a list, as everything a list shows of it (`record_list` in _macros.md.j2)."""

    date: str
    label: str  # the collection's
    link: str
    roles: str  # how the list's person or org appears in the record, e.g. "（主持、出席）"


@dataclass(frozen=True)
class Listed:
    """Listing pages by a digest of what each shows (its title, pager and rows): before, those the
    last build rendered the same way (stages/changes.py), which are KEPT when their digest is the
    same; now, this build's, filled by render."""

    before: Mapping[str, str] = field(default_factory=dict)
    now: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    archive: Archive
    views: Views
    _rows: dict[tuple[str, str], Row] = field(default_factory=dict)  # by record key, roles aside

    def title(self, record: Record) -> str:
        return record_title(self.archive, record)

    def link(self, record: Record, root: str | None = None) -> str:
        """A Markdown link; with root (the way from the page up to the site root), an HTML one, for
        the long tables written as raw HTML (MkDocs passes them through, where a Markdown table of
        thousands of rows takes it seconds to convert)."""
        if root is None:
            return f"[{text(self.title(record))}]({url(record.collection, record.id)})"
        return f'<a href="{root}{record.collection}/{record.id}/">{plain(self.title(record))}</a>'

    def ref(self, collection: str, value: str | None, root: str | None = None) -> str:
        """A link to the referenced record, or the text as written."""
        if value is None:
            return ""
        found = self.archive.get(collection, value)
        return self.link(found, root) if found else (text(value) if root is None else plain(value))

    def person(self, value: str | None, root: str | None = None) -> str:
        return self.ref("people", value, root)

    def org(self, value: str | None, root: str | None = None) -> str:
        return self.ref("orgs", value, root)

    def roles(self, target: tuple[str, str], record: Record) -> str:
        """How target appears in record, e.g. "（主持、出席）"."""
        fields = self.views.roles.get((target, record.key), [])
        labels = [ROLE_LABELS.get((record.collection, f)) or ROLE_LABELS.get(("", f), "") for f in fields]
        labels = [label for label in labels if label]
        return f"（{'、'.join(labels)}）" if labels else ""

    def offices(self, person: Record, current: bool = False) -> list[tuple[Record, Any]]:
        """(org, officer entry) for each office the person holds or held, latest first."""
        found = [
            (org, office)
            for org in self.views.backlinks.get(person.key, {}).get("orgs", [])
            for office in org.data.officers
            if office.person == person.id and not (current and office.to and office.to < self.views.today)
        ]
        return sorted(found, key=lambda pair: (pair[1].to or date.max, pair[1].from_ or date.min), reverse=True)

    def rows(self, records: list[Record], target: tuple[str, str] | None = None) -> list[Row]:
        """The records as a list shows them; target: the person or org whose list it is (their roles)."""
        found = []
        for record in records:
            row = self._rows.get(record.key)
            if row is None:
                label = COLLECTIONS[record.collection].label
                row = self._rows[record.key] = Row(date_label(record), label, self.link(record), "")
            found.append(replace(row, roles=self.roles(target, record)) if target else row)
        return found

    def people(self, values: list[str], root: str | None = None) -> str:
        return "、".join(self.person(v, root) for v in values)


@lru_cache(maxsize=1)  # one per process: `zhibu serve` compiles the templates once, not at every save
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("generator.templates"))),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(text=text, plain=plain, md=markdown, attr=attr, percent=percent, date=date_label, nowrap=nowrap)
    env.globals.update(url=url, book_url=book_url, slug=tag_slug, COLLECTIONS=COLLECTIONS, DATED=DATED)
    env.globals.update(change_label=ledgers.change_label, label=field_label, period_label=period_label)
    return env


def field_label(collection: str, field: str) -> str:
    """A field's Chinese label as the record model names it: the page, the docs and the exports agree."""
    return COLLECTIONS[collection].model.model_fields[field].title or field


def period_label(covers: CoveredPeriod) -> str:
    return ledgers.Period(covers.start, covers.months).label


_ROOTED_LINK = re.compile(r"\]\((/[^)\s]*)\)")


def relative_links(markdown_text: str, page_path: str) -> str:
    """Templates link from the docs root ("/people/x.md"); pages get plain relative links,
    which any Markdown site builder resolves (no MkDocs-only link setting needed)."""
    base = page_path.split("/")[:-1]

    def relative(match: re.Match[str]) -> str:
        parts = match.group(1)[1:].split("/")
        common = 0
        while common < len(base) and common < len(parts) - 1 and parts[common] == base[common]:
            common += 1
        return "](" + "/".join([".."] * (len(base) - common) + parts[common:]) + ")"

    return _ROOTED_LINK.sub(relative, markdown_text)


def page_title(value: str) -> str:
    """A page title as MkDocs and Material take it: HTML text, so the theme prints it as is.

    Material writes `page.meta.title` raw into <title>, the header and the nav; escaped here,
    once, it shows exactly as typed everywhere (see templates/theme/main.html)."""
    return html.escape(" ".join(str(value).split()), quote=True)


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter written as JSON (a subset of YAML): many times faster than a YAML emitter."""
    return "---\n" + json.dumps(meta, ensure_ascii=False, sort_keys=True) + "\n---\n\n"


def render(
    archive: Archive,
    views: Views,
    only: set[str] | None = None,
    keep: Collection[tuple[str, str]] = (),
    share: tuple[int, int] | None = None,
    tables: list[export.Table] | None = None,
    listed: Listed | None = None,
) -> dict[str, str | Kept]:
    """Every generated page, as docs-relative path -> Markdown; with `only`, just those record
    pages (`zhibu serve` shows a saved record first, then everything else); with `share`
    (part, parts), just the pages of that part (`owns`). A page made only of records in keep
    (whose pages would come out as they are, see stages/changes.py) is KEPT: record pages,
    their books. A listing page whose digest is in listed.before is KEPT (see `Listed`). tables: the
    ledgers the site offers as files (`export.tables`), made here unless given."""
    env = _environment()
    ctx = Context(archive, views)
    common = {"archive": archive, "views": views, "ctx": ctx, "info": archive.info}
    pages: dict[str, str | Kept] = {}
    metas: dict[str, dict[str, Any]] = {}

    def mine(path: str) -> bool:
        return share is None or owns(path, *share)

    def page(path: str, template: str, meta: dict[str, Any], **values: Any) -> None:
        if (only is not None and path not in only) or not mine(path):
            return
        module = env.get_template(template).make_module({**common, **values, "page_path": path})
        pages[path] = front_matter({**meta, "title": page_title(module.page_title)}) + relative_links(str(module), path)

    keys = mine(KEYS)  # this part writes the search keys, made of every record page's front matter
    page("index.md", "home.md.j2", {"zhibu": {"page": "home"}})
    for name, collection in COLLECTIONS.items():
        page(f"{name}/index.md", "collection.md.j2", {"zhibu": {"page": "index"}}, name=name, collection=collection)
        for record in views.sorted[name]:
            path = url(name, record.id)[1:]
            if (only is not None and path not in only) or not (keys or mine(path)):
                continue
            meta = _search_meta(ctx, record)
            metas[f"/{path}"] = meta["zhibu"]
            if not mine(path):
                continue
            if record.key in keep:
                pages[path] = KEPT
            else:
                page(path, f"{name}.md.j2", meta, record=record)
    if only is not None:
        return pages

    listed = listed or Listed()

    def listing(base: str, title: str, records: list[Record], target: tuple[str, str] | None = None) -> None:
        for path, chunk, pager in paginate(base, records):
            if not mine(path):
                continue
            rows = ctx.rows(chunk, target)
            shown = json.dumps([title, astuple(pager), [astuple(row) for row in rows]], ensure_ascii=False)
            digest = listed.now[path] = hashlib.sha256(shown.encode()).hexdigest()
            if listed.before.get(path) == digest:
                pages[path] = KEPT
            else:
                page(path, "listing.md.j2", {"zhibu": {"page": "listing"}}, title=title, rows=rows, pager=pager)

    for name in DATED:
        for year, records in views.by_year[name].items():
            listing(f"years/{year}/{name}", f"{year}年{COLLECTIONS[name].label}", records)
    for tag, records in views.by_tag.items():
        listing(f"tags/{tag_slug(tag)}", f"标签：{tag}", records)
    for facet, groups in (("levels", views.by_level), ("categories", views.by_category)):
        for value, records in groups.items():
            listing(f"{facet}/{tag_slug(value)}", value, records)
    for target, by_collection in views.backlinks.items():
        if target[0] in ("people", "orgs"):
            owner = ctx.title(archive.records[target[0]][target[1]])
            for name, records in by_collection.items():
                if name in DATED:
                    listing(f"{target[0]}/{target[1]}/{name}", f"{owner}：{COLLECTIONS[name].label}", records, target)
    page("tags/index.md", "tags.md.j2", {"zhibu": {"page": "index"}})
    for org_id, years in views.books.items():
        org = archive.records["orgs"][org_id]
        for year, meetings in years.items():
            meta = {"zhibu": {"page": "book"}, "hide": ["navigation", "toc"]}
            if meetings and all(m.key in keep for m in meetings):  # a book is its meetings' pages (and its org's name)
                if mine(book_url(org_id, year)[1:]):
                    pages[book_url(org_id, year)[1:]] = KEPT
            else:
                page(book_url(org_id, year)[1:], "book.md.j2", meta, org=org, year=year, meetings=meetings)
    tables = export.tables(archive, views) if tables is None else tables  # the ledgers index lists them
    for path, (template, values) in ledger_pages.pages(archive, views, tables).items():
        page(path, template, {"zhibu": {"page": "ledger"}, "hide": ["navigation", "toc"]}, **values)
    if mine("help/fields.md"):
        pages["help/fields.md"] = (
            front_matter({"title": "字段参考", "zhibu": {"page": "help"}}) + field_reference() + "\n"
        )
    page("search.md", "search.md.j2", {"zhibu": {"page": "search"}, "hide": ["navigation", "toc"]})
    if keys:
        pages.update(search_keys(metas))
        pages[KEYS] = vocabulary(archive, lambda r: url(r.collection, r.id)[1:-3] + "/").to_json()
    for hand_written in archive.pages:
        path = f"pages/{hand_written.path}.md"
        if mine(path):
            meta = {"title": text_page_title(hand_written), "zhibu": {"page": "text"}}
            pages[path] = front_matter(meta) + hand_written.text.strip() + "\n"
    return pages


KEYS = "search/keys/vocab.json"


def text_page_title(hand_written: Page) -> str:
    """A hand-written page's title: its first level-one heading as written, else its path."""
    for line in hand_written.text.splitlines():
        if line.startswith("# "):
            return page_title(line[2:].strip().rstrip("#").strip())
    return page_title(hand_written.path)


@dataclass(frozen=True)
class Pager:
    number: int
    count: int
    total: int
    base: str  # docs path without .md of the first page

    def href(self, number: int) -> str:
        return f"/{self.base}.md" if number == 1 else f"/{self.base}/{number}.md"


def paginate(base: str, records: list[Record]) -> Iterator[tuple[str, list[Record], Pager]]:
    count = max(1, -(-len(records) // PER_PAGE))
    for number in range(1, count + 1):
        pager = Pager(number, count, len(records), base)
        chunk = records[(number - 1) * PER_PAGE : number * PER_PAGE]
        yield pager.href(number)[1:], chunk, pager


def tag_slug(tag: str) -> str:
    """A URL segment for a tag: its own word characters, never a path."""
    slug = re.sub(r"[^\w]+", "-", tag).strip("-_").lower()
    return slug or "tag"


def _search_meta(ctx: Context, record: Record) -> dict[str, Any]:
    """Front matter for a record page: search facets, result fields and weighted keys."""
    data = record.data
    day = record_date(record)
    meta: dict[str, Any] = {"page": "record", "collection": COLLECTIONS[record.collection].label}
    meta["title"] = ctx.title(record)
    filters = facets(ctx.archive, record)
    if day:
        meta["date"] = day.isoformat()
        meta["date_label"] = date_label(record)
    kind = data.scheme if record.collection == "assessments" else _kind(data)
    if kind:
        meta["kind"] = kind
    org = ctx.archive.get("orgs", getattr(data, "org", None))
    if org:
        meta["org"] = org.data.name
    people = sorted({ctx.archive.records["people"][p].data.name for p in ctx.views.people_of.get(record.key, [])})
    if people:
        filters["人员"] = people
    if getattr(data, "visibility", None) == "受限":
        meta["restricted"] = True
    # Strong keys besides title, org and people: where a branch or person works, tags, agenda titles,
    # who missed a meeting or sat in (朱文军缺席).
    also = [getattr(data, name, None) for name in ("line", "crew", "post")]
    also += [*getattr(data, "tags", []), *(item.title for item in getattr(data, "agenda", []))]
    also += role_keys(ctx.archive, record)
    if any(also):
        meta["also"] = list(dict.fromkeys(value for value in also if value))
    meta["filters"] = filters
    return {"zhibu": meta}


def _kind(data: Any) -> str | None:
    return getattr(data, "type", None) or getattr(data, "kind", None) or getattr(data, "category", None)
