"""What people call an organisation: its id, its name, its aliases and the short names derived from the name.

Titles and conversation name a branch by its short form: 阳极炉生产线党支部 is
阳极炉党支部, 阳极炉支部 or simply 阳极炉; its 党小组 阳极炉甲乙班党小组 is
阳极炉甲乙班, and its crews 甲班 and 乙班 are 阳极炉甲班 and 阳极炉乙班. A short
name several orgs share (甲班 in every branch) names all of them; a lookup that
needs one org then asks which. Ids, full names and `aliases` written in the
records outrank derived short names.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

# Kind suffixes and their short forms: 阳极炉生产线党支部 -> 阳极炉生产线支部.
KIND_SUFFIXES = {
    "党委": ("党委",),
    "党总支": ("党总支", "总支"),
    "党支部": ("党支部", "支部"),
    "党小组": ("党小组", "小组"),
}
# Where a branch is built, dropped for the shortest name: 阳极炉生产线 -> 阳极炉.
PLACE_WORDS = ("生产线", "车间", "工段", "作业区", "分厂")
# A stem that says nothing on its own (第一党支部 -> 第一) is not a short name.
_BARE_NUMBER = re.compile(r"^第?[0-9一二三四五六七八九十百]+$")
_CREW_SEPARATORS = re.compile(r"[、,，/ ]+")

# How strongly a text names an org: exact id or name, then an alias written in the record, then a derived short name.
EXACT, ALIAS, SHORT = 0, 1, 2


def normalise(text: str) -> str:
    """NFKC, lower case, no spaces: how typed names are compared."""
    return "".join(unicodedata.normalize("NFKC", str(text)).lower().split())


def _stem(name: str, kind: str) -> str:
    return name[: -len(kind)] if name.endswith(kind) and len(name) > len(kind) else ""


def _cores(stem: str) -> list[str]:
    """The stem and the stem without its place word (阳极炉生产线 -> 阳极炉)."""
    found = [stem]
    for word in PLACE_WORDS:
        if stem.endswith(word) and len(stem) > len(word) + 1:
            found.append(stem[: -len(word)])
    return [c for c in found if len(c) >= 2]


def short_names(data: Any, parent: Any | None = None) -> list[str]:
    """Short names derived from an org's name, kind, line and crew; `parent` is the parent org's data."""
    found: list[str] = []
    kind = data.kind
    cores = _cores(_stem(data.name, kind))
    if data.line:
        cores += _cores(data.line)
    for core in cores:
        bare = [] if _BARE_NUMBER.match(core) else [core]
        found += [*bare, *(core + suffix for suffix in KIND_SUFFIXES.get(kind, ()))]
    if parent is not None:
        parent_cores = _cores(_stem(parent.name, parent.kind))
        for parent_core in parent_cores:
            for core in cores:
                if core.startswith(parent_core) and len(core) > len(parent_core) + 1:
                    crew_part = core[len(parent_core) :]  # 阳极炉甲乙班 -> 甲乙班
                    found += [crew_part, *(crew_part + suffix for suffix in KIND_SUFFIXES.get(kind, ()))]
        shortest = min(parent_cores, key=len, default="")
        for crew in _CREW_SEPARATORS.split(data.crew or ""):
            if len(crew) >= 2:
                found += [shortest + crew, crew]  # 阳极炉甲班, 甲班
    names = dict.fromkeys(n for n in found if n != data.name)
    return list(names)


@dataclass(frozen=True)
class OrgNames:
    """Every name of every org, normalised, with how strongly it names each org."""

    by_name: dict[str, dict[str, int]]  # normalised name -> org id -> strength (EXACT, ALIAS, SHORT)
    display: dict[str, str]  # org id -> full name

    @classmethod
    def build(cls, orgs: dict[str, Any]) -> OrgNames:
        """orgs: id -> record (anything with `.data`, an org model)."""
        by_name: dict[str, dict[str, int]] = defaultdict(dict)

        def add(names: Iterable[str], org_id: str, strength: int) -> None:
            for name in names:
                key = normalise(name)
                if key:
                    by_name[key][org_id] = min(strength, by_name[key].get(org_id, strength))

        for org_id, record in orgs.items():
            data = record.data
            parent = orgs.get(data.parent) if data.parent else None
            add([org_id, data.name], org_id, EXACT)
            add(data.aliases, org_id, ALIAS)
            add(short_names(data, parent.data if parent else None), org_id, SHORT)
        return cls(dict(by_name), {org_id: r.data.name for org_id, r in orgs.items()})

    def matches(self, text: str) -> list[str]:
        """Ids of the orgs `text` names, strongest names only: one id, several (ambiguous) or none."""
        found = self.by_name.get(normalise(text), {})
        if not found:
            return []
        best = min(found.values())
        return sorted(org_id for org_id, strength in found.items() if strength == best)

    def suggestions(self, text: str, n: int = 3) -> list[str]:
        """Ids for "是不是…": the orgs an ambiguous name may mean, or orgs with a similar name."""
        ids = self.matches(text)
        return ids if len(ids) > 1 else closest(text, self.by_name, self.display, n)


def closest(typed: str, owners: Mapping[str, Iterable[str]], display: Mapping[str, str], n: int = 3) -> list[str]:
    """Ids for "是不是…" (orgs, people): those owning a name like `typed`, best first.

    owners: normalised name or id -> ids of those it names; display: id -> the name shown. Among equally
    similar names, one that `typed` begins (an id prefix: yjl-0 → yjl-01) comes first, then the shorter.
    """
    key = normalise(typed)
    if not key:
        return []
    scored: dict[str, tuple[float, bool, int, str]] = {}  # id -> its closest name: (-similarity, …, name)
    for name, ids in owners.items():
        score = (-_similarity(key, name), not name.startswith(key), len(name), name)
        for owner in ids:
            scored[owner] = min(scored.get(owner, score), score)
    ranked = sorted((*s, display[i], i) for i, s in scored.items() if -s[0] >= 0.5)
    return [owner for *_, owner in ranked[:n]]


def _similarity(typed: str, name: str) -> float:
    """1.0 when one contains the other; else the better of the share of the typed character pairs
    found in the name (words swapped) and difflib's ratio (a character mistyped: 阳级炉 for 阳极炉)."""
    if typed in name or name in typed:
        return 1.0 if min(len(typed), len(name)) >= 2 else 0.0
    pairs = {typed[i : i + 2] for i in range(len(typed) - 1)} or {typed}
    return max(sum(p in name for p in pairs) / len(pairs), SequenceMatcher(None, typed, name).ratio())
