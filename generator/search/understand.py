"""Query understanding, one definition for the search page and `zhibu search`.

A query such as `阳极炉2025年3月支委会 炉口` holds filters as well as words:
an organisation (阳极炉 → 阳极炉生产线党支部 and its 党小组), a date phrase
(2025年3月) and a record type (支委会); what is left (炉口) is text to find.

The vocabulary — every org name, alias and short name, the type words and the
date patterns — is built here from the archive. `zhibu search` applies it
directly; the site gets it as data (search/vocab.json) and zhibu.js runs the
same three steps over it: date patterns in order, then the longest known
phrase at each position, then the remaining text split on spaces. Facet values
of a record (what the filters are checked against) also come from here, for
Pagefind's filters, the key index and `zhibu search` alike.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from generator import vocab
from generator.model import COLLECTIONS
from generator.orgnames import closest
from generator.stages.derive import date_text
from generator.stages.resolve import Archive
from generator.stages.validate import Record

# The search facet that names the kind of record within a collection.
KIND_FACETS = {"meetings": "会议类型", "achievements": "成果类别", "activities": "活动类型", "projects": "项目类型"}
YEAR, MONTH, ORG = "年份", "年月", "组织"

# Date phrases, tried in this order; a match is a filter and leaves the text. `2025年度` is the year a
# meeting covers, not when it was held (组织生活会 for 2025 meets in January 2026), so it stays text.
DATE_PATTERNS = (
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})\s*年\s*(?P<m>1[0-2]|0?[1-9])\s*月份?",
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})[-/.](?P<m>1[0-2]|0?[1-9])(?![0-9])",
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})\s*年(?!度)",
    r"(?<![0-9年第])(?P<m>1[0-2]|0?[1-9])\s*月份?",
)

# Type words that act as filters: collection names and kinds. Only words that name a kind and nothing
# else: 质量 or 技术攻关 occur in titles (优秀质量管理小组, 冶炼技术攻关) and would wrongly narrow them.
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "类型": ("会议", "荣誉", "成果", "项目", "考核"),  # not 活动: 主题党日活动 is a 主题党日
    "会议类型": tuple(w for w in vocab.MEETING_TYPES.accepted if w != "其他"),
    "成果类别": ("专利", "QC成果", "合理化建议", "科技进步奖"),
    "活动类型": ("读书会", "文化沙龙", "志愿服务", "劳动竞赛"),
    "项目类型": ("揭榜挂帅", "两带两创", "QC课题"),
    "荣誉级别": tuple(w for w in vocab.HONOUR_LEVELS.words),
}

# Attendance words: with a name they are one word, the name then the role (朱文军 缺席 → 朱文军缺席), which
# a meeting holds as a key for each absentee and guest (role_keys); alone they find every meeting with one.
ROLES = {"缺席": "缺席", "请假": "缺席", "列席": "列席"}
# A query word this long or longer that is no known name but like one is read as a typo of it (阳级炉 → 阳极炉).
RESPELL_FROM = 3


def normalise(text: str) -> str:
    """NFKC and lower case, spaces kept: what the parser reads (zhibu.js does the same)."""
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True)
class Term:
    """A phrase the search understands as a filter."""

    facet: str
    values: tuple[str, ...]  # a record matches when one of its facet values is among these
    label: str  # how the filter is shown: 组织：阳极炉生产线党支部
    named: tuple[tuple[str, str], ...] = ()  # (link, name) of the records the phrase names, listed first


@dataclass(frozen=True)
class Understood:
    words: tuple[str, ...]  # the text left to find
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet -> any of these values
    chips: tuple[tuple[str, str], ...] = ()  # (label, the phrase as typed) per understood filter
    named: tuple[tuple[str, str], ...] = ()  # (link, name) of the orgs the query names

    def matches(self, facets: dict[str, list[str]]) -> bool:
        return all(set(facets.get(name, ())) & set(values) for name, values in self.filters.items())


@dataclass(frozen=True)
class Vocabulary:
    terms: dict[str, Term]  # normalised phrase -> filter
    years: tuple[str, ...]  # the years records fall in: `3月份` means March of any of them

    def to_json(self) -> str:
        """For zhibu.js: {"dates": [patterns], "years": [...], "filters": [[facet, values, label, [[link, name]]]],
        "terms": {phrase: filter number}, "roles": ROLES}."""
        filters = list(dict.fromkeys(self.terms.values()))
        number = {term: i for i, term in enumerate(filters)}
        data = {
            "dates": list(DATE_PATTERNS),
            "years": list(self.years),
            "filters": [[t.facet, list(t.values), t.label, [list(n) for n in t.named]] for t in filters],
            "terms": {text: number[term] for text, term in self.terms.items()},
            "roles": ROLES,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def vocabulary(archive: Archive, href: Any = None) -> Vocabulary:
    """The phrases of this archive; `href(record)` gives the page a phrase names (the site's links)."""
    terms: dict[str, Term] = {}
    for facet, words in TYPE_WORDS.items():
        for word in words:
            canonical = str(vocab.MEETING_TYPES.canonical(word)) if facet == "会议类型" else word
            terms[normalise(word)] = Term(facet, (canonical,), f"类型：{canonical}")
    names = archive.org_names
    for text in names.by_name:
        orgs = archive.find_orgs(text)
        if not orgs or text in terms or text in archive.records["orgs"] or len(text) < 2:
            continue  # ids are for --org; a query names orgs in words
        inside = {archive.records["orgs"][o].data.name: None for org in orgs for o in archive.subtree(org.id)}
        label = "、".join(o.data.name for o in orgs)
        named = tuple((href(o) if href else o.id, o.data.name) for o in orgs)
        terms[text] = Term(ORG, tuple(inside), f"组织：{label}", named)
    years = {date_text(r)[:4] for name in COLLECTIONS for r in archive.records[name].values()} - {""}
    return Vocabulary(terms, tuple(sorted(years)))


def understand(query: str, vocabulary: Vocabulary) -> Understood:
    """Filters and remaining words of a query."""
    text = normalise(query)
    filters: dict[str, dict[str, None]] = {}
    chips: list[tuple[str, str]] = []
    named: list[tuple[str, str]] = []
    for pattern in DATE_PATTERNS:
        for found in re.finditer(pattern, text):
            facet, values, label = _date_filter(found.groupdict(), vocabulary.years)
            filters.setdefault(facet, {}).update(dict.fromkeys(values))
            chips.append((f"日期：{label}", found.group(0)))
        text = re.sub(pattern, " ", text)
    rest: list[str] = []
    for piece in _phrases(text, vocabulary.terms):
        term = vocabulary.terms.get(piece) if len(piece) > 1 else None
        if term is None:
            rest.append(piece)
            continue
        filters.setdefault(term.facet, {}).update(dict.fromkeys(term.values))
        chips.append((term.label, piece))
        named += term.named
        rest.append(" ")
    words = _roles("".join(rest).split())
    # An org's own page comes first only when the query is nothing but org names.
    only_orgs = not words and all(label.startswith("组织：") for label, _ in chips)
    found_named = tuple(dict.fromkeys(named)) if only_orgs else ()
    return Understood(words, {k: tuple(v) for k, v in filters.items()}, tuple(chips), found_named)


def _roles(words: list[str]) -> tuple[str, ...]:
    """Each attendance word joined to the word before it, or else the one after: 缺席 朱文军 → 朱文军缺席."""
    pieces = [p for word in words for p in re.split(f"({'|'.join(ROLES)})", word) if p]
    joined: list[str] = []
    waiting = ""  # a role that came first, for the next name
    for piece in pieces:
        role = ROLES.get(piece)
        if role is None:
            joined.append(piece + waiting)
            waiting = ""
        elif joined and not waiting and not joined[-1].endswith(tuple(ROLES.values())):
            joined[-1] += role
        else:
            joined += [waiting] if waiting else []
            waiting = role
    return tuple([*joined, waiting] if waiting else joined)


def respelling(query: str, understood: Understood, known: Iterable[str]) -> str | None:
    """The query with each word that is no known name but like one (its name part, before an attendance word)
    written as that name: 阳级炉 支委会 → 阳极炉 支委会. Among the names near it (_near) orgnames.closest
    decides, as for --org/--person."""
    names = {normalise(name): [name] for name in known}
    text = normalise(query)
    for word in understood.words:
        typed = word.removesuffix(ROLES.get(word[-2:], ""))
        if len(typed) < RESPELL_FROM or typed in names:
            continue
        near = {name: ids for name, ids in names.items() if _near(typed, name)}
        if hint := closest(typed, near, {name: name for name in near}, 1):
            text = text.replace(typed, hint[0])
    return " ".join(text.split()) if text != normalise(query) else None


def _near(typed: str, name: str) -> bool:
    """A name a typo of it may mean: a character mistyped, dropped or added, neither holding the other."""
    return abs(len(name) - len(typed)) <= 1 and typed not in name and name not in typed


def _phrases(text: str, terms: dict[str, Any]) -> list[str]:
    """text cut into known phrases and single characters, leaving the fewest characters unknown.

    阳极炉甲乙班党小组会 is 阳极炉甲乙班 + 党小组会, not 阳极炉甲乙班党小组 + 会. Fewest unknown
    characters, then fewest phrases; among equals the longer phrase first.
    """
    longest = max(map(len, terms), default=0)
    best: list[tuple[int, int, int]] = [(0, 0, 0)] * (len(text) + 1)  # (unknown, phrases, length) from i on
    for i in range(len(text) - 1, -1, -1):
        unknown, phrases, _ = best[i + 1]
        choice = (unknown + 1, phrases, 1)
        for n in range(min(longest, len(text) - i), 1, -1):
            if text[i : i + n] in terms:
                after = best[i + n]
                if (after[0], after[1] + 1) < choice[:2]:
                    choice = (after[0], after[1] + 1, n)
        best[i] = choice
    pieces, i = [], 0
    while i < len(text):
        pieces.append(text[i : i + best[i][2]])
        i += best[i][2]
    return pieces


def _date_filter(groups: dict[str, str | None], years: tuple[str, ...]) -> tuple[str, list[str], str]:
    year, month = groups.get("y"), groups.get("m")
    if year and month:
        return MONTH, [f"{year}-{int(month):02d}"], f"{year}年{int(month)}月"
    if year:
        return YEAR, [year], f"{year}年"
    return MONTH, [f"{y}-{int(month or 0):02d}" for y in years], f"每年{int(month or 0)}月"


# ---------------------------------------------------------------- facets of a record


def role_keys(archive: Archive, record: Record) -> list[str]:
    """朱文军缺席, 车间主任列席: who missed a meeting or sat in, as keys the attendance words find."""
    data = record.data
    roles = [(a.person, "缺席") for a in getattr(data, "absent", [])]
    roles += [(guest, "列席") for guest in getattr(data, "guests", [])]
    return [f"{_person_name(archive, ref)}{role}" for ref, role in roles]


def _person_name(archive: Archive, ref: str) -> str:
    person = archive.get("people", ref)
    return person.data.name if person else ref


def facets(archive: Archive, record: Record) -> dict[str, list[str]]:
    """Facet values of a record (people excepted): what understood filters and the page's facets test."""
    data = record.data
    found: dict[str, list[str]] = {"类型": [COLLECTIONS[record.collection].label]}
    written = date_text(record)
    if written:
        found[YEAR] = [written[:4]]
        if len(written) >= 7:
            found[MONTH] = [written[:7]]
    kind = _kind(data)
    if kind and record.collection in KIND_FACETS:
        found[KIND_FACETS[record.collection]] = [kind]
    orgs = [archive.records["orgs"][i].data.name for c, i in sorted(archive.targets.get(record.key, ())) if c == "orgs"]
    if record.collection == "orgs":
        orgs.insert(0, data.name)
    if orgs:
        found[ORG] = list(dict.fromkeys(orgs))
    if getattr(data, "tags", None):
        found["标签"] = sorted(set(data.tags))
    if record.collection == "honours":
        found["荣誉级别"] = [data.level]
    return found


def _kind(data: Any) -> str | None:
    return getattr(data, "type", None) or getattr(data, "kind", None) or getattr(data, "category", None)
