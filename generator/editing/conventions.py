"""Archive conventions: where a new record goes, its id and its title, learned from the
records already in the archive (used by `zhibu new` and `zhibu import`).

One call::

    proposal = propose(archive, "meetings", org="yjl-zb", kind="支委会", day=date(2025, 4, 7), taken=ids)
    proposal.folder    # "meetings/2025/yjl"        content-relative, POSIX
    proposal.record_id # "yjl-zwh-2025-04"          free: not in the archive, not in `taken`
    proposal.title     # "阳极炉党支部2025年第4次支委会"  meetings and activities; None elsewhere
    proposal.path      # "meetings/2025/yjl/yjl-zwh-2025-04.yaml"

How it learns. Each existing record is turned into templates by replacing what varies:

- ids: the org's *stem* (the id prefix shared by that org's records, e.g. ``yjl`` for
  ``yjl-zb`` whose records are ``yjl-zwh-2025-03``, ``yjl-dk-2025-q1`` …), the date
  (``2025-03-07``, ``2025-03``, ``2025-q1``, ``2025``) and a remaining running number
  (``yjl-08`` → ``{stem}-{n:02}``);
- folders: the year and the stem of the org's branch (``meetings/2025/yjl`` →
  ``meetings/{year}/{branch}``);
- titles: the org's name, the year, ``3月``, ``第一季度``, ``第3次`` (numbered again for
  the new record: meetings of that org and type held earlier that year, plus one) and a
  ``：topic`` tail, which is dropped. For annual reviews (组织生活会, 民主评议党员) ``{prev_year}``
  and ``年度`` name the year covered: the year before when held in January or February
  (``covers()``, which `zhibu new` writes into the record), else the year held.

The most common template wins among the closest records: same org and kind, then same
kind, then same org, then the whole collection. With nothing to learn from (an empty
archive, a new collection) the defaults are ``<collection>/<year>/`` for dated records
and ``<org>-<code>-<date>`` style ids. `kind` is the record's type word (meetings:
type; honours: level; achievements: category; activities, projects: kind; assessments:
scheme). `taken` holds ids that must not be proposed (files on disk that failed to
load, rows planned earlier in the same import); a clash gets ``-2``, ``-3`` …
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from generator.ledgers import compute as ledgers
from generator.stages.resolve import Archive
from generator.stages.validate import Record

__all__ = ["MEETING_CODES", "Proposal", "covers", "propose", "same_period", "stem"]

MEETING_CODES = {
    "党员大会": "dydh",
    "支委会": "zwh",
    "党小组会": "xzh",
    "党课": "dk",
    "主题党日": "ztdr",
    "组织生活会": "zzshh",
    "民主评议党员": "mzpy",
    "其他": "qt",
}
# Annual reviews: usually held in January or February for the year before (see `covers`).
ANNUAL = ("组织生活会", "民主评议党员")
DATED = ("meetings", "honours", "achievements", "activities", "assessments")
TITLED = ("meetings", "activities")
KIND_FIELDS = {  # the field that says what kind of record it is
    "meetings": "type",
    "honours": "level",
    "achievements": "category",
    "activities": "kind",
    "projects": "kind",
    "assessments": "scheme",
    "orgs": "kind",
}
_QUARTERS = "一二三四"
_ID_SAFE = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class Proposal:
    folder: str  # content-relative, POSIX, no trailing slash ("people", "meetings/2025/yjl")
    record_id: str
    title: str | None = None

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.record_id}.yaml"


def propose(
    archive: Archive | None,
    collection: str,
    *,
    org: str | None = None,
    kind: str | None = None,
    day: date | None = None,
    taken: Collection[str] = (),
) -> Proposal:
    """Folder, a free id and (meetings, activities) a title for a new record; see the module doc."""
    day = day or date.today()
    records = list(archive.records[collection].values()) if archive else []
    tiers, kinded = _tiers(records, org, kind)
    values = _values(archive, org, day)
    if collection == "meetings" and kind in ANNUAL:  # an annual review's "previous year" is the year it covers
        values["prev_year"] = int(covers(kind, day) or day.year)
    folder = _pick(tiers, lambda r: _folder_template(archive, r)) or _default_folder(collection)
    id_template = _pick(tiers[:kinded], lambda r: _id_template(archive, r)) or _default_id(collection, org, kind)
    numbers = [_number(id_template, values, r.id) for r in records]
    values["n"] = max((n for n in numbers if n is not None), default=0) + 1
    base = _ID_SAFE.sub("-", _fill(id_template, values).lower()).strip("-")[:72] or collection.rstrip("s")
    used = set(taken) | (set(archive.records[collection]) if archive else set())
    record_id, suffix = base, 1
    while record_id in used:
        suffix += 1
        record_id = f"{base}-{suffix}"
    title = None
    if collection in TITLED and org and archive and (found := archive.get("orgs", org)):
        earlier = [r for r in records if _facts(r)[:2] == (org, kind) and (d := _facts(r)[2]) and d.year == day.year]
        values["count"] = 1 + sum(1 for r in earlier if (_facts(r)[2] or day) < day)
        template = _pick(tiers[:kinded], lambda r: _title_template(archive, r, org)) or _default_title(collection, kind)
        if template and kind in ANNUAL:  # "2024年度" names the year the review covers
            template = template.replace("{year}年度", "{prev_year}年度")
        if template:
            named = values | {"org_name": found.data.name, "kind": kind or ""}
            title = _free_title(template, named, len(earlier), {r.data.title for r in records})
    return Proposal(_fill(folder, values).strip("/"), record_id, title)


def _free_title(template: str, values: dict[str, Any], held: int, titles: set[str]) -> str:
    """The filled title, never one the archive already has. A record dated before others of
    its year takes the number after all of them (第12次 when 第11次 is already held later);
    a title without a number gets （2）, （3） …"""
    title = _fill(template, values)
    if title not in titles:
        return title
    if "{count}" in template:
        count = held + 1
        while (title := _fill(template, values | {"count": count})) in titles:
            count += 1
        return title
    suffix = 2
    while f"{title}（{suffix}）" in titles:
        suffix += 1
    return f"{title}（{suffix}）"


def covers(kind: str | None, day: date) -> str | None:
    """The period a new meeting covers when it is not the period of its date: an annual
    review (组织生活会, 民主评议党员) held in January or February covers the year before."""
    return str(day.year - 1) if kind in ANNUAL and day.month <= 2 else None


def same_period(archive: Archive, org: str, kind: str, day: date) -> list[Record]:
    """Meetings of org and type that already count for the period day falls in (month,
    quarter … by the archive's frequency rules; a year for types without a rule)."""
    months = ledgers.MONTHS[ledgers.rules(archive).get(kind, ("", "yearly"))[1]]
    period = ledgers.period_of(day, months)
    return sorted(
        (
            m
            for m in archive.records["meetings"].values()
            if m.data.org == org and m.data.type == kind and ledgers.period_of(ledgers.covered(m), months) == period
        ),
        key=lambda m: m.data.date,
    )


def stem(archive: Archive, org_id: str) -> str:
    """The id prefix an org's records share (``yjl`` for yjl-zb); the org id when unknown."""
    return _stems(archive).get(org_id, org_id)


# ---------------------------------------------------------------- learning


def _facts(record: Record) -> tuple[str | None, str | None, date | None]:
    """(org id, kind word, date) of a record, whatever its collection calls them."""
    data = record.data
    org = getattr(data, "org", None) if record.collection != "orgs" else getattr(data, "parent", None)
    if org is None and getattr(data, "subject", None) is not None:
        org = data.subject.org
    if org is None and getattr(data, "recipients", None):
        org = next((r.org for r in data.recipients if r.org), None)
    if org is None and getattr(data, "memberships", None):
        org = data.memberships[-1].org
    kind = getattr(data, KIND_FIELDS.get(record.collection, ""), None)
    value = next((v for k in ("date", "period", "start") if (v := getattr(data, k, None))), None)
    day = getattr(value, "start", value)
    if isinstance(value, str) and (match := re.match(r"(\d{4})(?:-(\d{2}))?", value)):
        day = date(int(match.group(1)), int(match.group(2) or 1), 1)  # an assessment's period
    return org, (str(kind) if kind else None), (day if isinstance(day, date) else None)


def _tiers(records: list[Record], org: str | None, kind: str | None) -> tuple[list[list[Record]], int]:
    """Closest records first: same org and kind, same kind, same org, all; and how many
    of those tiers share the kind (ids and titles learn only from those when a kind is given)."""
    facts = [(r, _facts(r)) for r in sorted(records, key=lambda r: r.file, reverse=True)]
    tiers = [
        [r for r, f in facts if f[0] == org and f[1] == kind],
        [r for r, f in facts if f[1] == kind and kind is not None],
        [r for r, f in facts if f[0] == org and org is not None],
        [r for r, _ in facts],
    ]
    return tiers, (2 if kind is not None else 4)


def _pick(tiers: list[list[Record]], template: Callable[[Record], str | None]) -> str | None:
    """The most common template of the first tier that yields any (ties: the latest file)."""
    for tier in tiers:
        found = Counter(t for r in tier if (t := template(r)))
        if found:
            return max(found.items(), key=lambda item: item[1])[0]
    return None


def _stems(archive: Archive) -> dict[str, str]:
    cached = getattr(archive, "_convention_stems", None)
    if cached is None:
        ids: dict[str, list[str]] = {}
        for name in (*DATED, "projects", "people"):
            for record in archive.records[name].values():
                org = _facts(record)[0]
                if org:
                    ids.setdefault(org, []).append(record.id)
        cached = {org: s for org, found in ids.items() if (s := _common_stem(found))}
        object.__setattr__(archive, "_convention_stems", cached)
    return cached


def _common_stem(ids: list[str]) -> str | None:
    """The longest hyphen-delimited prefix (before any digit) that most ids share and
    that leaves a word after it (yjl-bd-2025-01 → yjl-bd); None below two ids."""
    counts: Counter[str] = Counter()
    for record_id in set(ids):
        pieces = record_id.split("-")
        for end in range(1, len(pieces)):
            if pieces[end - 1][:1].isdigit():
                break
            counts["-".join(pieces[:end])] += 1
    shared = [p for p, n in counts.items() if n >= 2 and n * 5 >= len(set(ids)) * 3]
    return max(shared, key=len) if shared else None


def _branch(archive: Archive, org_id: str) -> str:
    """The org's nearest 党支部 (itself, an ancestor); the org itself when there is none."""
    current = archive.records["orgs"].get(org_id)
    while current is not None:
        if current.data.kind == "党支部":
            return current.id
        current = archive.records["orgs"].get(current.data.parent or "")
    return org_id


def _date_tokens(day: date) -> list[tuple[str, str]]:
    """Literal date spellings in ids and their placeholders, longest first."""
    return [
        (day.isoformat(), "{date}"),
        (f"{day.year}-q{(day.month - 1) // 3 + 1}", "{year}-q{quarter}"),
        (f"{day.year}-{day.month:02d}", "{year}-{month:02d}"),
        (str(day.year), "{year}"),
        (str(day.year - 1), "{prev_year}"),  # 组织生活会 in January for the year before
    ]


def _id_template(archive: Archive | None, record: Record) -> str | None:
    org, _, day = _facts(record)
    text = record.id
    if archive and org:
        prefix = stem(archive, org)
        if text.startswith(prefix + "-"):
            text = "{stem}" + text[len(prefix) :]
    if day:
        for literal, placeholder in _date_tokens(day):
            if literal in text:
                text = text.replace(literal, placeholder, 1)
                break
    numbered = iter([True])  # only the first running number outside placeholders

    def number(match: re.Match[str]) -> str:
        if match.group(1) and next(numbered, False):
            return "{n:0" + str(len(match.group(1))) + "d}"
        return match.group(0)

    text = re.sub(r"\{[^}]*\}|(\d+)", number, text)
    varies = re.search(r"\{(?!stem\})", text)
    return text if varies else None  # nothing but the org varies: a name, not a pattern


def _folder_template(archive: Archive | None, record: Record) -> str:
    org, _, day = _facts(record)
    parts = record.file.split("/")[:-1]
    branch = stem(archive, _branch(archive, org)) if archive and org else None
    out = []
    for part in parts:
        if day and part == str(day.year):
            out.append("{year}")
        elif branch and part == branch:
            out.append("{branch}")
        else:
            out.append(part.replace("{", "").replace("}", ""))
    return "/".join(out)


def _title_template(archive: Archive, record: Record, target: str) -> str | None:
    """The title with its dates and number as placeholders; the org's name too, unless the
    record is the target org's own (its titles may use a short name: 阳极炉党支部)."""
    org, _, day = _facts(record)
    title = getattr(record.data, "title", None)
    found = archive.get("orgs", org) if org else None
    if not title or found is None or day is None:
        return None
    text = str(title).split("：")[0].replace("{", "").replace("}", "")
    if org != target:
        if found.data.name not in text:
            return None
        text = text.replace(found.data.name, "{org_name}", 1)
    text = re.sub(rf"{day.year}(年)", r"{year}\1", text, count=1)
    text = re.sub(rf"{day.year - 1}(年)", r"{prev_year}\1", text, count=1)
    text = re.sub(r"第\d+次", "第{count}次", text, count=1)
    text = re.sub(rf"(?<![\d第]){day.month}月", "{month}月", text, count=1)
    text = re.sub(rf"第[{_QUARTERS}]季度", "第{quarter_cn}季度", text, count=1)
    return text if "{" in text else None  # nothing varies: a name, not a pattern


def _values(archive: Archive | None, org: str | None, day: date) -> dict[str, Any]:
    quarter = (day.month - 1) // 3 + 1
    org_stem = stem(archive, org) if archive and org else (org or "")
    branch = stem(archive, _branch(archive, org)) if archive and org else (org or "")
    return {
        "date": day.isoformat(),
        "year": day.year,
        "prev_year": day.year - 1,
        "month": day.month,
        "quarter": quarter,
        "quarter_cn": _QUARTERS[quarter - 1],
        "stem": org_stem,
        "branch": branch,
        "org": org or "",
    }


def _fill(template: str, values: dict[str, Any]) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def _number(template: str, values: dict[str, Any], record_id: str) -> int | None:
    """The running number in record_id when it matches template with everything else filled."""
    if "{n" not in template:
        return None
    head, _, tail = template.partition("{n")
    tail = tail.split("}", 1)[1]
    pattern = re.escape(_fill(head, values)) + r"(\d+)" + re.escape(_fill(tail, values))
    match = re.fullmatch(pattern, record_id)
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------- defaults


def _default_folder(collection: str) -> str:
    return f"{collection}/{{year}}" if collection in DATED else collection


def _default_id(collection: str, org: str | None, kind: str | None) -> str:
    if collection == "meetings":
        return f"{{stem}}-{MEETING_CODES.get(kind or '', 'hy')}-{{date}}" if org else "meeting-{date}"
    if collection == "assessments":
        return "{stem}-{year}-{month:02d}" if org else "assessment-{year}-{month:02d}"
    if collection in ("people", "orgs"):
        return {"people": "person", "orgs": "org"}[collection]
    singular = {"activities": "activity", "achievements": "achievement", "honours": "honour"}
    return f"{singular.get(collection, collection.rstrip('s'))}-{{year}}-{{month:02d}}"


def _default_title(collection: str, kind: str | None) -> str | None:
    if collection == "meetings" and kind in ANNUAL:
        return "{org_name}{prev_year}年度{kind}"
    return "{org_name}{year}年{month}月{kind}" if collection == "meetings" and kind != "其他" else None
