"""Stage 7, index: a Pagefind search index over the built site.

Pagefind's extended binary (from the `pagefind[extended]` wheel) segments
Chinese when indexing. Only elements marked `data-pagefind-body` (record pages)
are indexed, and within them not the page furniture (`skip_furniture`): search
matches and excerpts come from the record's own text. The whole site is indexed
in one call; failure fails the build.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from generator.model import COLLECTIONS

log = logging.getLogger("zhibu")

# Only record pages carry data-pagefind-body: reading listings and ledgers too would cost time for nothing.
RECORD_PAGES = "{" + ",".join(COLLECTIONS) + "}/*/index.html"


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


class IndexingError(RuntimeError):
    pass


def index_site(site_dir: Path, subdir: str = "pagefind", background: bool = False) -> int:
    """Index site_dir into site_dir/subdir; returns the number of pages indexed. In the background,
    Pagefind runs at a lower priority (POSIX), so it never slows the rebuild of a page."""
    shutil.rmtree(site_dir / subdir, ignore_errors=True)  # no stale chunks from an earlier build
    process = subprocess.Popen(
        [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", subdir, "--glob", RECORD_PAGES],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    if background and hasattr(os, "setpriority"):  # before the wrapper starts Pagefind's binary, which inherits it
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, process.pid, 10)
    output, _ = process.communicate()
    if process.returncode != 0 or not (site_dir / subdir / "pagefind.js").is_file():
        tail = "\n".join(output.strip().splitlines()[-5:])
        raise IndexingError(f"Pagefind 建立搜索索引失败（退出码 {process.returncode}）：{tail}")
    found = re.search(r"Indexed (\d+) pages?", output)
    return int(found.group(1)) if found else 0


class FollowingIndex:
    """The search index of a served site, rebuilt in a thread after each rebuild: pages never
    wait for Pagefind. The new index is built beside the old one and then replaces it whole;
    a rebuild while indexing runs Pagefind once more when it is done."""

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
                index_site(site_dir, NEXT_INDEX, background=True)
                old = site_dir / ".pagefind.old"
                shutil.rmtree(old, ignore_errors=True)
                os.replace(site_dir / "pagefind", old)
                os.replace(site_dir / NEXT_INDEX, site_dir / "pagefind")
                shutil.rmtree(old, ignore_errors=True)
            except (IndexingError, OSError) as exc:
                log.warning("搜索索引未更新：%s", exc)


NEXT_INDEX = ".pagefind.next"
