"""Stage 6, publish: write the generated docs, run MkDocs, swap the site in.

Generated Markdown is compared with what is on disk before writing, so an
unchanged page keeps its file (and MkDocs' and the editor's caches stay warm).
A site is always built into a temporary folder beside the target and only
replaces the previous site when everything succeeded.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import resources
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("zhibu")

PACKAGED_CONFIG = "mkdocs.yml"


@dataclass(frozen=True)
class Deferred:
    """A generated file that is costly to make: made only when its digest changed.

    The digest of the last file written sits beside it in a hidden sidecar.
    """

    digest: str
    make: Callable[[], bytes]


class Kept:
    """A generated file whose inputs did not change: the docs folder holds it as it should be."""


KEPT = Kept()


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int
    changed: tuple[str, ...] = ()  # docs-relative paths written
    files: frozenset[str] = frozenset()  # every docs-relative path docs_dir now holds (hidden ones aside)


def template_dir() -> Path:
    return Path(str(resources.files("generator.templates")))


def write_docs(docs_dir: Path, pages: Collection[str], written: list[str], copies: dict[str, Path]) -> WriteStats:
    """Make docs_dir hold exactly pages (`write_pages` wrote them; `written` are those it changed) and
    copies (files), touching only what changed."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    changed = list(written)
    unchanged = len(pages) - len(changed)
    for rel, source in copies.items():
        stat = source.stat()

        def same(p: Path, stat: os.stat_result = stat) -> bool:
            mine = p.stat()
            return mine.st_size == stat.st_size and mine.st_mtime_ns == stat.st_mtime_ns

        if _write_if_changed(docs_dir / rel, same, lambda p, source=source: shutil.copy2(source, p)):
            changed.append(rel)
        else:
            unchanged += 1
    wanted = frozenset(pages) | frozenset(copies)
    removed = _remove_stale(docs_dir, wanted)
    return WriteStats(len(changed), unchanged, removed, tuple(changed), wanted)


def write_pages(docs_dir: Path, pages: dict[str, str | bytes | Deferred | Kept]) -> list[str]:
    """Write the pages whose text differs from the file on disk (KEPT ones are as they should be);
    the docs-relative paths written."""
    changed: list[str] = []
    for rel, body in pages.items():
        if isinstance(body, Kept):
            continue
        if isinstance(body, Deferred):
            sidecar = docs_dir / Path(rel).parent / f".{Path(rel).name}.digest"
            if (docs_dir / rel).is_file() and sidecar.is_file() and sidecar.read_text() == body.digest:
                continue
            data = body.make()
            sidecar.parent.mkdir(parents=True, exist_ok=True)
            sidecar.write_text(body.digest)
        else:
            data = body.encode("utf-8") if isinstance(body, str) else body
        if _write_if_changed(docs_dir / rel, lambda p, d=data: p.read_bytes() == d, lambda p, d=data: p.write_bytes(d)):
            changed.append(rel)
    return changed


def _remove_stale(docs_dir: Path, wanted: set[str]) -> int:
    """Delete files no longer generated (hidden files, such as sidecars, stay), then empty folders."""
    removed = 0
    for folder, _, files in os.walk(docs_dir, topdown=False):
        prefix = "" if folder == str(docs_dir) else os.path.relpath(folder, docs_dir).replace(os.sep, "/") + "/"
        for name in files:
            if not name.startswith(".") and prefix + name not in wanted:
                os.unlink(os.path.join(folder, name))
                removed += 1
        if prefix and not os.path.basename(folder).startswith(".") and not os.listdir(folder):
            os.rmdir(folder)
    return removed


def _write_if_changed(path: Path, same: Callable[[Path], bool], write: Callable[[Path], Any]) -> bool:
    if path.is_file() and same(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write(path)
    return True


@contextmanager
def staged_site(site_dir: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces site_dir, on failure it is removed.

    The replaced site is removed by a process of its own (unlinking tens of thousands of files
    takes long on a busy disk, and nobody waits for it); one a build before left is removed first.
    """
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    for leftover in site_dir.parent.glob(f".{site_dir.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=site_dir.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    readable_by_all(staging)
    old = None
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.old-", dir=site_dir.parent))
        os.replace(site_dir, old / "site")
    os.replace(staging, site_dir)
    if old is not None:
        remove_in_background(old)


def remove_in_background(folder: Path) -> None:
    """Remove folder in a detached process that outlives this one."""
    try:
        subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def readable_by_all(root: Path) -> None:
    """Folders 0777 and files 0666 less the umask (755/644 usually), so a web server running
    as another user can read the site: mkdtemp makes 0700 and copies keep their source's mode.
    One lstat an entry (os.scandir), never a chmod through a link."""
    mask = current_umask()
    folder_mode, file_mode = 0o777 & ~mask, 0o666 & ~mask
    if stat.S_IMODE(root.lstat().st_mode) != folder_mode:
        root.chmod(folder_mode)
    folders = [str(root)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_symlink():
                    continue
                info = entry.stat(follow_symlinks=False)
                is_folder = stat.S_ISDIR(info.st_mode)
                if is_folder:
                    folders.append(entry.path)
                # A file linked from the previous site has its mode already (reuse_previous checks the umask).
                if stat.S_IMODE(info.st_mode) != (folder_mode if is_folder else file_mode) and (
                    is_folder or info.st_nlink == 1
                ):
                    os.chmod(entry.path, folder_mode if is_folder else file_mode)


def find_config(content_dir: Path) -> Path:
    """The project's mkdocs.yml beside the content dir, else the packaged one."""
    project = content_dir.resolve().parent / "mkdocs.yml"
    return project if project.is_file() else template_dir() / PACKAGED_CONFIG


def run_mkdocs(
    config_file: Path, docs_dir: Path, site_dir: Path, setup: Callable[[Any], None], dirty: bool = False
) -> Any:
    """A real `mkdocs build` with docs_dir and site_dir overridden; returns its config.

    `setup` receives the loaded config, so the caller can hand its already
    checked archive to the zhibu plugin instead of loading it a second time.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs_dir.mkdir(parents=True, exist_ok=True)
    config = load_config(config_file=str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir))
    setup(config)
    build(config, dirty=dirty)
    return config


# ---------------------------------------------------------------- parallel cold builds


def owns(doc: str, part: int, parts: int) -> bool:
    """Whether part (of parts) builds docs file doc: pages are spread over the parts by a stable
    hash of their path (listings, ledgers and books as well as records, so the parts take about
    the same time); every other file (assets, attachments) is part 0's, which copies them."""
    return part == (zlib.crc32(doc.encode()) % parts if doc.endswith(".md") else 0)


# Pages one MkDocs process builds at most in a cold build. MkDocs holds every page's HTML until it
# writes them all, so a process grows with its pages (measured on synthetic records: 524 MB for
# about 7,400 pages at 10,000 records, 1,037 MB for 12,700 at 20,000): a large site is built in more
# parts than --jobs, at most --jobs at a time. ZHIBU_PART_PAGES sets another size (tests use it).
PART_PAGES = 6000


def setting(name: str, default: int) -> int:
    """A whole number from the environment variable name, default when unset or not a number."""
    chosen = os.environ.get(name, "")
    return int(chosen) if chosen.isdigit() else default


def part_count(pages: int, jobs: int) -> int:
    """How many parts a cold build of pages Markdown pages is built in with jobs processes."""
    return max(jobs, -(-pages // max(1, setting("ZHIBU_PART_PAGES", PART_PAGES))))


def default_jobs() -> int:
    return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


Result = TypeVar("Result")


def in_processes(tasks: list[Callable[[], Result]]) -> list[Result]:
    """Run every task at once, each in a process forked from this one (so it shares this
    process's objects, copy on write), and return their results in order. A task that fails
    fails all: the others are stopped and RuntimeError says why.

    The collector's objects are frozen while the tasks run: a child never scans (and so never
    copies) the pages holding them."""
    context = multiprocessing.get_context("fork")
    channels = [context.Pipe(duplex=False) for _ in tasks]
    workers = [
        context.Process(target=_run_task, args=(task, sending))
        for task, (_, sending) in zip(tasks, channels, strict=True)
    ]
    gc.freeze()
    try:
        for worker in workers:
            worker.start()
        for _, sending in channels:
            sending.close()
        results: list[Any] = [None] * len(tasks)
        pending: dict[Any, int] = {receiving: number for number, (receiving, _) in enumerate(channels)}
        while pending:  # as each process answers: the first failure stops the others at once
            for receiving in wait(list(pending)):
                number = pending.pop(receiving)
                try:
                    ok, results[number] = receiving.recv()
                except EOFError:  # the process died without a word (killed, out of memory)
                    ok, results[number] = False, "子进程意外退出"
                if not ok:
                    raise RuntimeError(results[number])
        return results
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        gc.unfreeze()


def _run_task(task: Callable[[], Any], sending: Any) -> None:
    """A forked process: run task and send back (True, its result) or (False, why it failed)."""
    try:
        outcome = (True, task())
    except KeyboardInterrupt:  # Ctrl-C reaches every process: the parent says the build was interrupted
        outcome = (False, "已中断")
    except (Exception, SystemExit) as exc:
        outcome = (False, str(exc) or type(exc).__name__)
    sending.send(outcome)


def run_mkdocs_parallel(
    config_file: Path, docs_dir: Path, site_dir: Path, setup: Callable[[Any], None], jobs: int
) -> None:
    """A cold `mkdocs build` in parts over disjoint sets of the pages (`part_count`: --jobs, or
    more for a large site), at most `jobs` processes at a time, then one Pagefind run over the
    whole site.

    This process builds part 0 (with every file that is not a page) into site_dir; each
    other part is built by a forked process into its own folder, and its pages are moved in.
    Every part is a dirty MkDocs build in which other parts' files count as unchanged (the
    zhibu plugin's on_files), so the pages are byte for byte those of a single-process build.
    Without fork (Windows), one process builds everything.
    """
    pages = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md"))
    parts = part_count(len(pages), jobs)
    if parts <= 1 or not can_fork():
        run_mkdocs(config_file, docs_dir, site_dir, _part_of(setup, None))
        return
    context = multiprocessing.get_context("fork")
    folders = [Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.part-", dir=site_dir.parent)) for _ in range(1, parts)]
    workers = [
        context.Process(target=_build_part, args=(config_file, docs_dir, folder, _part_of(setup, (part, parts))))
        for part, folder in enumerate(folders, start=1)
    ]
    waiting, running = list(workers), []

    def start(limit: int) -> None:
        while waiting and len(running) < limit:
            running.append(waiting.pop(0))
            running[-1].start()

    try:
        start(jobs - 1)  # with this process's part 0, `jobs` at a time
        config = run_mkdocs(config_file, docs_dir, site_dir, _part_of(setup, (0, parts)), dirty=True)
        while waiting or running:
            start(jobs)
            wait([worker.sentinel for worker in running])
            for worker in [w for w in running if not w.is_alive()]:
                running.remove(worker)
                if worker.exitcode:
                    raise RuntimeError("MkDocs 并行生成页面失败")
        for part, folder in enumerate(folders, start=1):
            for doc in pages:
                if owns(doc, part, parts) and (folder / output_of(doc)).is_file():
                    target = site_dir / output_of(doc)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(folder / output_of(doc), target)
        config.plugins["zhibu"].index(site_dir)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            if worker.pid is not None:
                worker.join()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def _part_of(setup: Callable[[Any], None], share: tuple[int, int] | None) -> Callable[[Any], None]:
    """setup, then tell the zhibu plugin which part this build is (None: the whole site)."""

    def configure(config: Any) -> None:
        setup(config)
        config.plugins["zhibu"].share = share

    return configure


def _build_part(config_file: Path, docs_dir: Path, folder: Path, setup: Callable[[Any], None]) -> None:
    """A worker process: build one part; a failure is logged (the parent reports the build failed)."""
    try:
        run_mkdocs(config_file, docs_dir, folder, setup, dirty=True)
    except KeyboardInterrupt:  # Ctrl-C reaches every worker: the parent says the build was interrupted
        raise SystemExit(1) from None
    except (Exception, SystemExit) as exc:  # MkDocs' Abort is a SystemExit
        log.error(str(exc))
        raise SystemExit(1) from None


# ---------------------------------------------------------------- incremental builds

STATE = ".zhibu-build.json"


def build_key(config_file: Path, nav: list[dict[str, Any]]) -> str:
    """What every page depends on besides its own Markdown: configuration, theme, templates, nav, versions."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    digest.update(config_file.read_bytes())
    for path in sorted(template_dir().rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(template_dir()).as_posix().encode() + path.read_bytes())
    digest.update(json.dumps(nav, ensure_ascii=False, sort_keys=True).encode())
    for package in ("zhibu", "mkdocs", "mkdocs-material"):
        digest.update(version(package).encode())
    return digest.hexdigest()


def output_of(doc: str) -> str:
    """The site file MkDocs writes for a docs file (directory URLs)."""
    if not doc.endswith(".md"):
        return doc
    stem = doc[:-3]
    return f"{stem}.html" if stem == "index" or stem.endswith("/index") else f"{stem}/index.html"


def _state(site_dir: Path) -> dict[str, Any]:
    try:
        state = json.loads((site_dir / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def is_current(site_dir: Path, key: str, inputs: str) -> bool:
    """Whether site_dir was built the same way (key) from the same inputs: building again would
    give the same site, so neither the docs, MkDocs nor Pagefind need to run. The umask is an
    input too (the site's modes follow it)."""
    state = _state(site_dir)
    return bool(inputs) and state.get("key") == key and state.get("inputs") == f"{inputs}:{current_umask():o}"


def reuse_previous(site_dir: Path, staging: Path, key: str, docs: set[str]) -> bool:
    """Start staging from a clone of the previous site when it was built the same way.

    The clone's files are hard links to the previous site's (`link_clone`): no page is
    copied. MkDocs then rebuilds only pages whose Markdown is newer than their HTML (its
    dirty mode); compare-before-write keeps unchanged Markdown old. Pages whose source is
    gone are removed. The previous site itself is never touched: every writer into staging
    replaces a file instead of writing into it (`detach`).
    """
    state = _state(site_dir)
    if state.get("key") != key or not str(state.get("inputs", "")).endswith(f":{current_umask():o}"):
        return False  # another umask: the modes of the linked files would have to change
    link_clone(site_dir, staging)
    for gone in set(state.get("docs", [])) - docs:
        path = staging / output_of(gone)
        path.unlink(missing_ok=True)
        while path.parent != staging and path.parent.is_dir() and not any(path.parent.iterdir()):
            path = path.parent
            path.rmdir()
    return True


def build_day() -> str:
    """The day MkDocs dates the pages by (in the sitemap)."""
    from mkdocs.utils import get_build_date

    return get_build_date()


def sitemap_kept(site_dir: Path, docs: set[str]) -> bool:
    """Whether site_dir's sitemap is the one MkDocs would write now: the same pages, dated the
    same day (the configuration and theme, its other inputs, are in the build key)."""
    state = _state(site_dir)
    return state.get("day") == build_day() and state.get("docs") == sorted(docs)


def record_state(staging: Path, key: str, docs: set[str], inputs: str, day: str) -> None:
    """day: build_day() when MkDocs started (kept only if the pages cannot be dated otherwise)."""
    state = {"key": key, "inputs": f"{inputs}:{current_umask():o}", "docs": sorted(docs)}
    if day == build_day():
        state["day"] = day
    detach(staging / STATE)
    (staging / STATE).write_text(json.dumps(state), encoding="utf-8")


def link_clone(source: Path, target: Path) -> None:
    """Make target hold the files of source as hard links (`link_or_copy`). Folders are made
    anew (their mode from the umask), so only files are shared; links stay links."""
    target.mkdir(exist_ok=True)
    folders = [(str(source), str(target))]
    while folders:
        here, there = folders.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                to = os.path.join(there, entry.name)
                if entry.is_symlink():
                    os.symlink(os.readlink(entry.path), to)
                elif entry.is_dir():
                    os.mkdir(to)
                    folders.append((entry.path, to))
                else:
                    link_or_copy(entry.path, to)


def link_or_copy(source: str, target: str) -> None:
    """Hard-link source at target; copy it on a file system without hard links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def detach(path: str | os.PathLike[str]) -> None:
    """Remove a file about to be written: in a staged site it may be a hard link to the
    previous site's file, which must never be written through."""
    with suppress(FileNotFoundError):
        os.unlink(path)
