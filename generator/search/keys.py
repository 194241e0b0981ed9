"""The key index: exact matches on titles, names and organisations, for the search page.

Keys of a record: its title, its organisation's name, the people it names, its
tags and agenda titles, and for orgs and people their production line, crew or post.

Pagefind segments Chinese one way when indexing and the browser another way
when querying, so a full title or a name can rank far down or find nothing.
This small index answers "which records have this text in their title, people
or organisation" exactly, by character pairs, and the search page lists those
matches before Pagefind's full-text results.

Layout (all JSON, under search/keys/):
  manifest.json        {"buckets": B, "chunk": C, "count": N, "columns": [facets with an f- file]}
  people.json          the names of the people records refer to; rows hold their numbers
  b<k>.json            {"t": {pair: [record numbers]}, "k": {...}, "c": [pairs]} for the pairs
                       whose hash % B == k: "t" from titles, "k" from the other keys, numbers
                       ascending as gaps (first number, then differences); "c" the pairs
                       too common to narrow a search (more than COMMON records), listed without
                       numbers: the rows decide those
  r<k>.json            records k*C .. k*C+C-1, newest first:
                       [href, title, date, org, type, kind, [people], filters, [other keys]]
  f-<facet>.json       {"v": [[values]], "w": W, "c": column} for the facets of COLUMNS: W
                       characters a record, in row order, spell the number of the record's
                       values as digits of ALPHABET (0: none, i: v[i-1]; 组织 lists an org and
                       those above it, so its combinations are few), so a filter drops
                       candidates before any row is read

A query fetches the manifest, one bucket per distinct pair and the record
chunks of its first hits: tens of kilobytes, whatever the archive's size.
"""

from __future__ import annotations

import json
import math
import unicodedata
from itertools import pairwise
from typing import Any

CHUNK = 5  # rows a file: a checked candidate costs about 1.5 KB
POSTINGS_PER_BUCKET = 1000  # about 5 KB a bucket: a query reads one per character pair
COMMON = 1000  # a pair in more records than this (工作, 支部 …) narrows too little to be worth its bytes
# Facets read as columns: those with few combinations of values (人员 and 标签 have many: rows decide).
COLUMNS = ("类型", "会议类型", "成果类别", "荣誉级别", "活动类型", "项目类型", "年份", "年月", "组织")
# Printable ASCII that JSON writes as itself: a column costs W bytes a record.
ALPHABET = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in '"\\')


def normalise(text: str) -> str:
    """What both sides compare: NFKC, lower case, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())


def pairs(text: str) -> set[str]:
    chars = list(normalise(text))
    return {a + b for a, b in pairwise(chars)}


def bucket_of(pair: str, buckets: int) -> int:
    first, second = (ord(c) for c in pair)
    return (first * 131 + second) % buckets


def search_keys(metas: dict[str, dict[str, Any]]) -> dict[str, str]:
    """metas: record URL (docs path) -> the record page's search front matter."""
    # Orgs and people first (a name typed whole is most likely theirs), then newest first.
    ordered = sorted(
        metas.items(), key=lambda item: ("date" not in item[1], item[1].get("date", ""), item[0]), reverse=True
    )
    people = sorted({name for _, meta in ordered for name in meta["filters"].get("人员", [])})
    person_number = {name: i for i, name in enumerate(people)}
    rows = []
    postings: dict[str, dict[str, list[int]]] = {"t": {}, "k": {}}
    for number, (path, meta) in enumerate(ordered):
        filters = dict(meta["filters"])
        names = filters.pop("人员", [])
        others = [meta.get("org", ""), *meta.get("also", []), *filters.get("标签", []), *names]
        title_pairs = pairs(meta["title"])
        for kind, found in (("t", title_pairs), ("k", set().union(*map(pairs, others)) - title_pairs)):
            for pair in found:
                postings[kind].setdefault(pair, []).append(number)
        href = path[1:].removesuffix(".md") + "/"
        rows.append(
            [
                href,
                meta["title"],
                meta.get("date_label", ""),
                meta.get("org", ""),
                meta["collection"],
                meta.get("kind", ""),
                [person_number[n] for n in names],
                filters,
                meta.get("also", []),
            ]
        )
    common = {pair for pair in {*postings["t"], *postings["k"]} if len(_records(postings, pair)) > COMMON}
    total = sum(len(v) for kind in postings.values() for pair, v in kind.items() if pair not in common)
    buckets = max(1, math.ceil(total / POSTINGS_PER_BUCKET))
    files: dict[int, dict[str, Any]] = {k: {"t": {}, "k": {}, "c": []} for k in range(buckets)}
    for pair in sorted(common):
        files[bucket_of(pair, buckets)]["c"].append(pair)
    for kind, found in postings.items():
        for pair, numbers in found.items():
            if pair not in common:
                files[bucket_of(pair, buckets)][kind][pair] = [b - a for a, b in pairwise([0, *numbers])]
    out = {f"search/keys/b{k}.json": _json(v) for k, v in files.items()}
    for start in range(0, len(rows), CHUNK):
        out[f"search/keys/r{start // CHUNK}.json"] = _json(rows[start : start + CHUNK])
    for facet in COLUMNS:
        out[f"search/keys/f-{facet}.json"] = _json(_column([row[7].get(facet, []) for row in rows]))
    out["search/keys/people.json"] = _json(people)
    out["search/keys/manifest.json"] = _json(
        {"buckets": buckets, "chunk": CHUNK, "count": len(rows), "columns": list(COLUMNS)}
    )
    return out


def _column(values: list[list[str]]) -> dict[str, Any]:
    combinations = sorted({tuple(sorted(v)) for v in values if v})
    number = {combination: i + 1 for i, combination in enumerate(combinations)}
    width = 1
    while len(ALPHABET) ** width <= len(combinations):
        width += 1
    column = []
    for value in values:
        n = number[tuple(sorted(value))] if value else 0
        column.append("".join(ALPHABET[n // len(ALPHABET) ** k % len(ALPHABET)] for k in reversed(range(width))))
    return {"v": combinations, "w": width, "c": "".join(column)}


def _records(postings: dict[str, dict[str, list[int]]], pair: str) -> set[int]:
    return {*postings["t"].get(pair, ()), *postings["k"].get(pair, ())}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
