"""The key index: exact matches on titles, names and organisations, for the search page.

Pagefind segments Chinese one way when indexing and the browser another way
when querying, so a full title or a name can rank far down or find nothing.
This small index answers "which records have this text in their title, people
or organisation" exactly, by character pairs, and the search page lists those
matches before Pagefind's full-text results.

Layout (all JSON, under search/keys/):
  manifest.json        {"buckets": B, "chunk": C, "count": N}
  b<k>.json            {pair: [record numbers]} for the pairs whose hash % B == k
  r<k>.json            records k*C .. k*C+C-1: [url, title, date, org, type, kind, keys, filters]

A query fetches the manifest, one bucket per distinct pair and the record
chunks of its first hits: a few kilobytes at any archive size.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from typing import Any

CHUNK = 100
PAIRS_PER_BUCKET = 400  # target size: about 4 KB a bucket


def normalise(text: str) -> str:
    """What both sides compare: NFKC, lower case, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())


def pairs(text: str) -> set[str]:
    chars = list(normalise(text))
    return {a + b for a, b in itertools.pairwise(chars)}


def bucket_of(pair: str, buckets: int) -> int:
    first, second = (ord(c) for c in pair)
    return (first * 131 + second) % buckets


def search_keys(metas: dict[str, dict[str, Any]]) -> dict[str, str]:
    """metas: record URL (docs path) -> the record page's search front matter."""
    ordered = sorted(metas.items(), key=lambda item: (item[1].get("date", ""), item[0]), reverse=True)
    rows = []
    postings: dict[str, list[int]] = {}
    for number, (path, meta) in enumerate(ordered):
        filters = meta["filters"]
        keys = [meta["title"], meta.get("org", ""), *filters.get("人员", [])]
        for pair in sorted(set().union(*(pairs(k) for k in keys))):
            postings.setdefault(pair, []).append(number)
        href = path[1:].removesuffix(".md") + "/"
        rows.append(
            [
                href,
                meta["title"],
                meta.get("date_label", ""),
                meta.get("org", ""),
                meta["collection"],
                meta.get("kind", ""),
                keys,
                filters,
            ]
        )
    buckets = max(1, len(postings) // PAIRS_PER_BUCKET)
    files: dict[int, dict[str, list[int]]] = {k: {} for k in range(buckets)}
    for pair in sorted(postings):
        files[bucket_of(pair, buckets)][pair] = postings[pair]
    out = {f"search/keys/b{k}.json": _json(v) for k, v in files.items()}
    for start in range(0, len(rows), CHUNK):
        out[f"search/keys/r{start // CHUNK}.json"] = _json(rows[start : start + CHUNK])
    out["search/keys/manifest.json"] = _json({"buckets": buckets, "chunk": CHUNK, "count": len(rows)})
    return out


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
