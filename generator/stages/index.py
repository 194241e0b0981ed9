"""Stage 7, index: a Pagefind search index over the built site.

Pagefind's extended binary (from the `pagefind[extended]` wheel) segments
Chinese when indexing. Only elements marked `data-pagefind-body` (record pages)
are indexed, and within them not the page furniture (`skip_furniture`): search
matches and excerpts come from the record's own text. The whole site is indexed
in one call; failure fails the build.
"""

from __future__ import annotations

import contextlib
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

from generator.model import COLLECTIONS
from generator.stages.publish import link_or_copy

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
# (measured on synthetic records: 97 MB at 1,000, 160 MB at 2,500, 382 MB at 5,000, 706-967 MB
# at 10,000), so a large archive is indexed as several shards, each a whole Pagefind bundle, which
# the browser merges (Pagefind's mergeIndex). ZHIBU_SHARD_PAGES sets another size (tests use it).
SHARD_PAGES = 2500
# In the index folder: the shards' folders and sizes for the browser (zhibu.js), their digests for the next build.
MANIFEST = "zhibu-shards.json"
NEXT_INDEX = ".pagefind.next"
PAGEFIND_VERSION = metadata.version("pagefind")  # another Pagefind indexes every shard again


@dataclass(frozen=True)
class Shard:
    folder: str  # inside the index folder: "" for the first shard, whose pagefind.js the pages import
    pages: tuple[str, ...]  # record pages, relative to the site, sorted
    digest: str  # of the pages' paths and bytes: an unchanged digest keeps the shard's index


def shard_pages() -> int:
    chosen = os.environ.get("ZHIBU_SHARD_PAGES", "")
    return int(chosen) if chosen.isdigit() and int(chosen) > 0 else SHARD_PAGES


def record_pages(site_dir: Path) -> list[str]:
    found = (p for name in COLLECTIONS for p in site_dir.glob(f"{name}/*/index.html"))
    return sorted(p.relative_to(site_dir).as_posix() for p in found)


def plan_shards(site_dir: Path) -> list[Shard]:
    """The record pages split into shards of about shard_pages() pages: a page's shard is a stable
    hash of its path, so an edit changes only its own shard and a cold build makes the same shards.
    The first shard with pages is the index folder itself; an empty one (only likely with tiny
    shards) has no index."""
    pages = record_pages(site_dir)
    count = max(1, math.ceil(len(pages) / shard_pages()))
    groups: list[list[str]] = [[] for _ in range(count)]
    for page in pages:
        groups[zlib.crc32(page.encode()) % count].append(page)
    numbered = [(number, group) for number, group in enumerate(groups) if group] or [(0, [])]
    shards = []
    for number, group in numbered:
        digest = hashlib.sha256(PAGEFIND_VERSION.encode())
        for page in group:
            digest.update(page.encode() + b"\0" + hashlib.sha256((site_dir / page).read_bytes()).digest())
        folder = f"shard-{number}" if shards else ""
        shards.append(Shard(folder, tuple(group), digest.hexdigest()))
    return shards


def index_site(site_dir: Path, background: bool = False, jobs: int = 0) -> int:
    """Index the record pages of site_dir into site_dir/pagefind; returns the number of pages indexed.

    Each shard whose pages are unchanged since the index in site_dir/pagefind was made keeps its
    index (its files linked, never rewritten); the others are indexed again, up to `jobs` Pagefind
    processes at a time (default: the number of cores). The new index is assembled beside the old
    one and then replaces it whole. In the background, Pagefind runs at a lower priority (POSIX),
    so it never slows the rebuild of a page."""
    shards = plan_shards(site_dir)
    current = site_dir / "pagefind"
    kept = _kept_digests(current)
    fresh = [shard for shard in shards if kept.get(shard.folder) != shard.digest]
    work = site_dir / NEXT_INDEX
    shutil.rmtree(work, ignore_errors=True)
    try:
        work.mkdir()
        for shard in shards:
            if shard not in fresh:
                _link_tree(current / shard.folder, work / shard.folder, nested=shard.folder == "")
        with ThreadPoolExecutor(max(1, min(jobs or os.cpu_count() or 1, len(fresh)))) as pool:
            list(pool.map(lambda shard: _index_shard(site_dir, shard, work, background), fresh))
        manifest = {
            "shards": [s.folder for s in shards[1:]],
            "pages": {s.folder: len(s.pages) for s in shards},
            "digests": {s.folder: s.digest for s in shards},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        old = site_dir / ".pagefind.old"
        shutil.rmtree(old, ignore_errors=True)
        if current.exists():
            os.replace(current, old)
        os.replace(work, current)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return sum(len(shard.pages) for shard in shards)


def _kept_digests(index_dir: Path) -> dict[str, str]:
    """The digests of the shards of an earlier index whose folders are still there."""
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    digests = manifest.get("digests") if isinstance(manifest, dict) else None
    if not isinstance(digests, dict):
        return {}
    return {folder: digest for folder, digest in digests.items() if (index_dir / folder / "pagefind.js").is_file()}


def _link_tree(source: Path, target: Path, nested: bool) -> None:
    """The files of a kept shard, hard-linked (copied where links fail); the first shard's folder
    holds the other shards, which are not its own."""
    ignore = shutil.ignore_patterns("shard-*", MANIFEST) if nested else None
    shutil.copytree(source, target, ignore=ignore, copy_function=link_or_copy, dirs_exist_ok=True)


def _index_shard(site_dir: Path, shard: Shard, work: Path, background: bool) -> None:
    """Pagefind over one shard's pages: they are hard-linked at their own paths into a folder of
    their own, which Pagefind indexes whole (URLs stay those of the site)."""
    pages = work / f".pages-{shard.folder or 'shard-0'}"
    for page in shard.pages:
        (pages / page).parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(str(site_dir / page), str(pages / page))
    output = work / f".out-{shard.folder or 'shard-0'}"
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
    if shard.folder:
        os.replace(output, work / shard.folder)
        return
    for entry in output.iterdir():  # the first shard is the index folder itself
        os.replace(entry, work / entry.name)
    output.rmdir()


class FollowingIndex:
    """The search index of a served site, rebuilt in a thread after each rebuild: pages never
    wait for Pagefind. Only the shards whose pages changed are indexed again; the new index is
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
