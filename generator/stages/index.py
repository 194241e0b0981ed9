"""Stage 7, index: a Pagefind search index over the built site.

Pagefind's extended binary (from the `pagefind[extended]` wheel) segments
Chinese when indexing. Only elements marked `data-pagefind-body` (record pages)
are indexed, and within them not the page furniture (`skip_furniture`): search
matches and excerpts come from the record's own text. A base index in shards and a
delta index of the pages changed since (`index_site`); failure fails the build.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from generator.model import COLLECTIONS
from generator.stages.publish import link_or_copy, setting

log = logging.getLogger("zhibu")

# The furniture of a record page, as the record templates lay it out: the breadcrumb paragraph before
# the title, the facts table right after it, the links to the previous and next meeting, and what the
# templates mark between furniture comments (backlink lists, an achievement's metrics table). The title
# stays indexed (words found only there would be lost); zhibu.js drops it from the excerpt's start.
# Breadcrumb, tags and neighbour links also get a class, so a printed record leaves them out
# (zhibu.css, @media print).
_MARKERS = (
    (re.compile(r"<!-- zhibu:(?:navigation|furniture) -->"), "<div data-pagefind-ignore>"),
    (re.compile(r"<!-- /zhibu:(?:navigation|furniture) -->"), "</div>"),
)
_FURNITURE = (
    (
        re.compile(r"\A(\s*)<p>(?=(?:(?!</p>).)*</p>\s*<h1)", re.DOTALL),
        r'\1<p class="zhibu-crumbs" data-pagefind-ignore>',
    ),
    (re.compile(r"(</h1>\s*)<table>"), r"\1<table data-pagefind-ignore>"),
    (re.compile(r"<p>(?=← 上一次|下一次：)"), '<p class="zhibu-neighbours" data-pagefind-ignore>'),
    (
        re.compile(r"<p>(?=标签：(?:(?!</p>).)*</p>\s*<p><small class=\"zhibu-source\")", re.DOTALL),
        '<p class="zhibu-tags">',
    ),
)


def skip_furniture(html: str) -> str:
    """A record page's HTML with breadcrumb, facts table, neighbour links and marked furniture kept out of the
    index (and breadcrumb, tags and neighbour links classed for print)."""
    for pattern, replacement in _MARKERS:
        html = pattern.sub(replacement, html)
    for pattern, replacement in _FURNITURE:
        html = pattern.sub(replacement, html, count=1)
    return html


# What `python -m pagefind --glob` would pick (benchmarks/run.py measures Pagefind alone with it).
RECORD_PAGES = "{" + ",".join(COLLECTIONS) + "}/*/index.html"


class IndexingError(RuntimeError):
    pass


# Record pages a Pagefind process indexes at most. Its peak memory grows faster than the pages
# (measured on synthetic records: 97 MB at 1,000, 160 MB at 2,500, 382 MB at 5,000, 434 MB at 6,000,
# 706-967 MB at 10,000), so a large archive's base index is made as several shards, each a whole
# Pagefind bundle, which the browser merges (Pagefind's mergeIndex). ZHIBU_SHARD_PAGES sets another
# size (tests use it).
SHARD_PAGES = 6000
# Record pages that may differ from the base index (changed, added or deleted since it was made) before
# the base is made again whole; until then a build indexes only those pages, as the delta index.
# ZHIBU_DELTA_PAGES sets another limit (tests use it).
DELTA_PAGES = 500
# In the index folder: for the browser (zhibu.js), the folders to merge and the base results to drop
# or move; for the next build, each base page's digest, Pagefind id and folder.
MANIFEST = "zhibu-shards.json"
BASE = "zhibu-base.json"
DELTA = "delta"
NEXT_INDEX = ".pagefind.next"
PAGEFIND_VERSION = metadata.version("pagefind")  # another Pagefind makes the base again
_FRAGMENT = b"pagefind_dcd"  # what a decompressed Pagefind fragment (a page's text, filters, meta) starts with


def shard_pages() -> int:
    return max(1, setting("ZHIBU_SHARD_PAGES", SHARD_PAGES))


def record_pages(site_dir: Path) -> list[str]:
    found = (p for name in COLLECTIONS for p in site_dir.glob(f"{name}/*/index.html"))
    return sorted(p.relative_to(site_dir).as_posix() for p in found)


def plan_shards(pages: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The record pages split into base shards (folder, pages) of about shard_pages() pages: a page's
    shard is a stable hash of its path, so a cold build makes the same shards. The first shard with
    pages is the index folder itself; an empty one (only likely with tiny shards) has no index."""
    count = max(1, math.ceil(len(pages) / shard_pages()))
    groups: list[list[str]] = [[] for _ in range(count)]
    for page in pages:
        groups[zlib.crc32(page.encode()) % count].append(page)
    numbered = [(number, group) for number, group in enumerate(groups) if group] or [(0, [])]
    return [(f"shard-{number}" if i else "", tuple(group)) for i, (number, group) in enumerate(numbered)]


def index_site(site_dir: Path, background: bool = False, jobs: int = 0) -> int:
    """Index the record pages of site_dir into site_dir/pagefind; returns the number of record pages.

    Pagefind cannot update an index. A cold build (or one whose base index was made by another
    Pagefind, or differs from the pages in more than ZHIBU_DELTA_PAGES pages) makes the base index,
    in shards, up to `jobs` Pagefind processes at a time (default: the number of cores). Any other
    build keeps the base (its files linked, never rewritten) and indexes only the pages that differ
    from it, as the delta index; the manifest tells the browser which base results the delta
    replaces or that are gone. The new index is assembled beside the old one and then replaces it
    whole. In the background, Pagefind runs at a lower priority (POSIX), so it never slows the
    rebuild of a page."""
    pages = {page: hashlib.sha256((site_dir / page).read_bytes()).hexdigest() for page in record_pages(site_dir)}
    current = site_dir / "pagefind"
    work = site_dir / NEXT_INDEX
    shutil.rmtree(work, ignore_errors=True)
    try:
        work.mkdir()
        base = _kept_base(current, pages)
        delta = None if base is None else _index_delta(site_dir, current, work, base, pages, background)
        if base is None or delta is None:
            shutil.rmtree(work)
            work.mkdir()
            base = _make_base(site_dir, pages, work, background, jobs)
            delta = Delta({}, {})
        _write_json(work / MANIFEST, _manifest(base, delta))
        old = site_dir / ".pagefind.old"
        shutil.rmtree(old, ignore_errors=True)
        if current.exists():
            os.replace(current, old)
        os.replace(work, current)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return len(pages)


@dataclass(frozen=True)
class Base:
    folders: dict[str, int]  # the base shards' folders ("" first) and their numbers of pages
    pages: dict[str, list[str]]  # record page -> [digest of its bytes, Pagefind id, folder]


@dataclass(frozen=True)
class Delta:
    days: dict[str, str]  # Pagefind id -> the page's day (the listing without words is by date)
    dropped: dict[str, list[Any]]  # base id -> [its filters, 1 if the delta holds the same page under it, else 0]


def _kept_base(index_dir: Path, pages: dict[str, str]) -> Base | None:
    """The base of the index in index_dir, if this Pagefind made it, its folders are there and no more
    than ZHIBU_DELTA_PAGES record pages differ from it."""
    try:
        found = json.loads((index_dir / BASE).read_text(encoding="utf-8"))
        base = Base(dict(found["folders"]), dict(found["pages"]))
        made_by = found["pagefind"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if made_by != PAGEFIND_VERSION or not all((index_dir / f / "pagefind.js").is_file() for f in base.folders):
        return None
    differing = sum(base.pages.get(page, [""])[0] != digest for page, digest in pages.items())
    deleted = len(base.pages.keys() - pages.keys())
    return base if differing + deleted <= setting("ZHIBU_DELTA_PAGES", DELTA_PAGES) else None


def _index_delta(
    site_dir: Path, current: Path, work: Path, base: Base, pages: dict[str, str], background: bool
) -> Delta | None:
    """The base's files linked into work and the pages that differ from it indexed as work/delta;
    None if a delta page's Pagefind id is a base page's other than its own (the ids are short
    hashes), which only a new base can tell apart."""
    shutil.copytree(
        current, work, ignore=shutil.ignore_patterns(DELTA, MANIFEST), copy_function=link_or_copy, dirs_exist_ok=True
    )
    changed = sorted(page for page, digest in pages.items() if base.pages.get(page, [""])[0] != digest)
    fragments = _index_shard(site_dir, DELTA, tuple(changed), work, background) if changed else {}
    owners = {entry[1]: page for page, entry in base.pages.items() if entry[1]}
    if any(owners.get(fragment["id"], page) != page for page, fragment in fragments.items()):
        return None
    dropped = {}
    for page in sorted(base.pages.keys() - (pages.keys() - set(changed))):  # changed or deleted
        _, old, folder = base.pages[page]
        if not old:
            continue
        filters = read_fragment(work / folder / "fragment" / f"{old}.pf_fragment")["filters"]
        dropped[old] = [filters, int(fragments.get(page, {}).get("id") == old)]
    return Delta({fragment["id"]: fragment["meta"].get("day", "") for fragment in fragments.values()}, dropped)


def _make_base(site_dir: Path, pages: dict[str, str], work: Path, background: bool, jobs: int) -> Base:
    shards = plan_shards(list(pages))
    with ThreadPoolExecutor(max(1, min(jobs or os.cpu_count() or 1, len(shards)))) as pool:
        made = list(pool.map(lambda shard: _index_shard(site_dir, *shard, work, background), shards))
    entries = {  # a page Pagefind found nothing to index in has no id
        page: [pages[page], fragments.get(page, {}).get("id", ""), folder]
        for (folder, group), fragments in zip(shards, made, strict=True)
        for page in group
    }
    base = Base({folder: len(group) for folder, group in shards}, dict(sorted(entries.items())))
    _write_json(work / BASE, {"pagefind": PAGEFIND_VERSION, "folders": base.folders, "pages": base.pages})
    return base


def _manifest(base: Base, delta: Delta) -> dict[str, Any]:
    """What zhibu.js reads: the base shards to merge beside the first (and their sizes), the delta
    index if any, the base results to drop (a changed or deleted page: its filters, subtracted from
    facet counts) and the delta pages' days."""
    return {
        "shards": [folder for folder in base.folders if folder],
        "pages": base.folders,
        "delta": DELTA if delta.days else None,
        "dropped": delta.dropped,
        "days": delta.days,
    }


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_fragment(path: Path) -> dict[str, Any]:
    """A page as Pagefind indexed it (url, content, filters, meta), from its fragment file."""
    return json.loads(gzip.decompress(path.read_bytes()).removeprefix(_FRAGMENT))


def _index_shard(
    site_dir: Path, folder: str, shard: tuple[str, ...], work: Path, background: bool
) -> dict[str, dict[str, Any]]:
    """Pagefind over one shard's pages: they are hard-linked at their own paths into a folder of
    their own, which Pagefind indexes whole (URLs stay those of the site). Returns each page's
    fragment, its Pagefind id added."""
    name = folder or "shard-0"
    pages = work / f".pages-{name}"
    for page in shard:
        (pages / page).parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(str(site_dir / page), str(pages / page))
    output = work / f".out-{name}"
    command = [sys.executable, "-m", "pagefind", "--site", str(pages), "--output-path", str(output)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace"
    )
    if background and hasattr(os, "setpriority"):  # before the wrapper starts Pagefind's binary, which inherits it
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, process.pid, 10)
    output_text, _ = process.communicate()
    shutil.rmtree(pages, ignore_errors=True)
    if process.returncode != 0 or not (output / "pagefind.js").is_file():
        tail = "\n".join(output_text.strip().splitlines()[-5:])
        raise IndexingError(f"Pagefind 建立搜索索引失败（退出码 {process.returncode}）：{tail}")
    fragments = {}
    for path in (output / "fragment").glob("*.pf_fragment"):
        fragment = {**read_fragment(path), "id": path.name.removesuffix(".pf_fragment")}
        fragments[fragment["url"].lstrip("/") + "index.html"] = fragment
    if folder:
        os.replace(output, work / folder)
        return fragments
    for entry in output.iterdir():  # the first shard is the index folder itself
        os.replace(entry, work / entry.name)
    output.rmdir()
    return fragments


class FollowingIndex:
    """The search index of a served site, rebuilt in a thread after each rebuild: pages never
    wait for Pagefind. Only the pages changed since the base index are indexed again; the new index is
    assembled beside the old one and then replaces it whole; a rebuild while indexing indexes
    once more when it is done."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: Path | None = None
        self.running = False

    def request(self, site_dir: Path) -> None:
        with self.lock:
            self.pending = site_dir
            if self.running:
                return
            self.running = True
        threading.Thread(target=self._run, name="zhibu-index", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self.lock:
                site_dir, self.pending = self.pending, None
                if site_dir is None:
                    self.running = False
                    return
            try:
                index_site(site_dir, background=True)
            except (IndexingError, OSError) as exc:
                log.warning("搜索索引未更新：%s", exc)
