"""The pipeline, one linear function per face: check (load → validate → resolve → derive)
and generate (render → write docs). The CLI and the MkDocs plugin both call these.
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from generator.diagnostics import Diagnostic, Severity, has_errors
from generator.ledgers import completeness
from generator.ledgers import compute as ledgers
from generator.stages import changes, privacy
from generator.stages.cache import WorkCache, cache_dir, code_version
from generator.stages.derive import Views, derive, derive_pages
from generator.stages.load import Content, RawRecord, load
from generator.stages.publish import KEPT, WriteStats, can_fork, in_processes, template_dir, write_docs, write_pages
from generator.stages.resolve import Archive, published, resolve, resolve_saved
from generator.stages.validate import Record, Validated, validate

if TYPE_CHECKING:
    from generator.ledgers.export import Table

Progress = Callable[[str], None]


@dataclass
class Checked:
    content_dir: Path
    content: Content
    archive: Archive | None
    views: Views | None
    diagnostics: list[Diagnostic]
    timings: dict[str, float] = field(default_factory=dict)
    inputs: str = ""  # digest of everything archive and views are made from (content, day, options, code)
    full: Archive | None = None  # the archive with restricted records (archive: without, unless included)

    @property
    def ok(self) -> bool:
        return self.views is not None and not has_errors(self.diagnostics)

    @property
    def record_count(self) -> int:
        return len(self.content.records)


def _timed(timings: dict[str, float], stage: str, progress: Progress | None) -> Callable[[], None]:
    if progress:
        progress(stage)
    start = time.perf_counter()

    def done() -> None:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start

    return done


def check(
    content_dir: Path,
    *,
    include_restricted: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
    unsaved: RawRecord | None = None,
    cache: WorkCache | None = None,
) -> Checked:
    """Every problem of the records under content_dir and, without errors, the archive and its
    views; unsaved is a record the editor has not written yet, checked in place of its file.
    With `cache`, a long-lived process keeps the work cache in memory (and saves it itself)."""
    with _collector_paused():
        return _check(content_dir, include_restricted, today, progress, unsaved, cache)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while checking: a check builds millions of objects that all
    live until it ends, and the collector scanning them again and again was about 40 % of a
    cached check's CPU (cProfile at 3,000 records: 1.0 s against 0.55 s with it off, same peak
    memory). Its objects then join the oldest generation unscanned (freeze, then unfreeze: two
    list splices), so re-enabling it does not scan them all at once either; they are collected
    later as usual (a check leaves no cyclic garbage: gc.collect() finds none)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def _check(
    content_dir: Path,
    include_restricted: bool,
    today: date | None,
    progress: Progress | None,
    unsaved: RawRecord | None,
    cache: WorkCache | None,
) -> Checked:
    timings: dict[str, float] = {}
    content, validated, problems = _read(content_dir, unsaved, cache, timings, progress)
    done = _timed(timings, "resolve", progress)
    full, more = resolve(validated, content)
    done()
    diagnostics = content.diagnostics + problems + more
    archive = full if include_restricted or full is None else published(full)
    views = None
    if archive is not None and full is not None and not has_errors(diagnostics):
        done = _timed(timings, "derive", progress)
        day = today or date.today()
        views = derive(archive, day, full)
        diagnostics += ledgers.warnings(full, day, views.compliance) + completeness.warnings(full, views.completeness)
        done()
    elif full is not None:  # errors: no site, but the warnings still true of what loaded
        found = ledgers.warnings(full, today or date.today())
        diagnostics += _sound_warnings(
            found + completeness.warnings(full, completeness.missing(full)), full, diagnostics
        )
    diagnostics = sorted(diagnostics)
    day = today or date.today()
    inputs = f"{content.fingerprint()}\0{day}\0{include_restricted}\0{code_version()}"
    digest = hashlib.sha256(inputs.encode()).hexdigest()
    return Checked(content_dir, content, archive, views, diagnostics, timings, digest, full)


def _read(
    content_dir: Path,
    unsaved: RawRecord | None,
    cache: WorkCache | None,
    timings: dict[str, float],
    progress: Progress | None,
) -> tuple[Content, Validated, list[Diagnostic]]:
    """Load and validate (privacy included): the content, the validated records and the problems."""
    done = _timed(timings, "load", progress)
    kept = cache is not None
    if cache is None:
        cache = WorkCache(cache_dir(content_dir))
    else:
        cache.rotate()
    content = load(content_dir, cache)
    if unsaved is not None:
        content = _laid_over(content, unsaved)
    done()
    done = _timed(timings, "validate", progress)
    validated, problems = validate(content.records, age=_age(content), kept=cache.kept)
    allowlist = validated.archive.data.pii_allowlist if validated.archive else []
    problems += privacy.scan(content.records, content.pages, allowlist, cache, content.sources)
    if not kept:
        cache.save()
    done()
    return content, validated, problems


def check_saved(
    previous: Checked, cache: WorkCache, at_most: int, today: date | None = None
) -> tuple[Checked, list[Record]] | None:
    """When a few record files changed since `previous` (a whole check without errors, of the
    same options), a check made for those records' pages alone, and those records: the archive
    resolved again only where they refer (resolve_saved), views derived only from what their
    pages read (derive_pages), so each of those pages is the one a whole check would give (its
    archive and views hold just the records those pages read). Its diagnostics are the saved
    files'. None when the whole archive must be checked: nothing or more than at_most files
    changed, any file that is not a published record's (deleted, a page, an attachment,
    archive.yaml, a restricted record), any error, a saved person or org, a new project."""
    with _collector_paused():
        assert previous.full is not None and previous.archive is not None
        content, validated, problems = _read(previous.content_dir, None, cache, {}, None)
        before = previous.content
        changed = {rel for rel, digest in content.sources.items() if before.sources.get(rel) != digest}
        if not changed or len(changed) > at_most or before.sources.keys() - content.sources.keys():
            return None
        if content.files != before.files or has_errors(content.diagnostics + problems):
            return None
        saved = [r for pool in validated.records.values() for r in pool.values() if r.file in changed]
        if len(saved) != len(changed):
            return None
        found = resolve_saved(previous.full, saved, content)
        if found is None or has_errors(found[1]):
            return None
        full, more = found
        day = today or date.today()
        archive, views = derive_pages(full, saved, day, previous.archive.include_restricted)
        if any(r.id not in archive.records[r.collection] for r in saved):
            return None
        return Checked(previous.content_dir, content, archive, views, sorted(problems + more), full=full), saved


def _laid_over(content: Content, record: RawRecord) -> Content:
    """content with record in place of the file of its name (or added): that file's load
    problems go, and its digest is the record's, so nothing built from disk is taken for it."""
    rest = [r for r in content.records if r.file != record.file]
    digest = hashlib.sha256(repr((record.data, sorted(record.lines.items()))).encode()).digest()
    return replace(
        content,
        records=[*rest, record],
        diagnostics=[d for d in content.diagnostics if d.file != record.file],
        sources={**content.sources, record.file: digest},
    )


# Ledger warnings and the collections whose every record they depend on: a missing 会议
# ("未召开…", on the org's file) needs all orgs and meetings; a quorum ("到会支委…", on a
# meeting's attendees) needs all people and orgs.
_DEPENDS = {"orgs": {"orgs", "meetings"}, "attendees": {"people", "orgs"}}


def _sound_warnings(found: list[Diagnostic], full: Archive, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The ledger warnings still true while some records have errors (so one broken file does
    not hide the warnings of all others): none on a file with errors, and none that depend on
    a collection missing a record (a record with an error is left out of the archive)."""
    broken = {d.file for d in diagnostics if d.severity is Severity.ERROR}
    loaded = {r.file for records in full.records.values() for r in records.values()}
    incomplete = {file.partition("/")[0] for file in broken - loaded}
    return [
        w
        for w in found
        if w.file not in broken and not _DEPENDS.get(w.field or w.file.partition("/")[0], set()) & incomplete
    ]


def _age(content: Content) -> Callable[[str], tuple[str, float]]:
    """Which of two record files is newer: the later last git commit (a file not yet
    committed is the newest), then the later modification time."""

    def age(file: str) -> tuple[str, float]:
        change = content.history.get(file)
        try:
            modified = (content.root / file).stat().st_mtime
        except OSError:
            modified = 0.0
        return (change.date if change else "9999-12-31", modified)

    return age


RENDERED = ".zhibu-rendered.json"  # in docs_dir: what its record pages were rendered from
Written = tuple[list[str], list[str], dict[str, str]]  # a process's pages, those it wrote, its listing digests


def generate(
    checked: Checked, docs_dir: Path, progress: Progress | None = None, jobs: int = 1
) -> tuple[int, WriteStats]:
    """Make docs_dir hold exactly every page and the published attachments, rendering again only
    the record pages whose inputs changed since the last time (stages/changes.py).

    With jobs > 1 (and fork), `jobs` processes render and write disjoint parts of the pages
    while `jobs` more write disjoint parts of the ledger downloads (an XLSX workbook takes
    seconds: one process writing the three a meeting's edit changes was the longest), all at once."""
    from generator.ledgers import export  # the ledger writers: not for a check alone

    assert checked.archive is not None and checked.views is not None
    archive, views = checked.archive, checked.views
    done = _timed(checked.timings, "render", progress)
    state = docs_dir / RENDERED
    inputs = changes.inputs_of(archive, views, checked.content, f"{archive.include_restricted}")
    previous = _rendered(state)
    keep = changes.unchanged(previous, inputs)
    before = changes.listed_before(previous, inputs)
    tables = export.tables(archive, views)
    docs_dir.mkdir(parents=True, exist_ok=True)
    state.unlink(missing_ok=True)  # until the docs are written: a write that fails midway renders all next time
    if jobs > 1 and can_fork():
        parts = in_processes(
            [partial(_write_downloads, checked, docs_dir, tables, (part, jobs)) for part in range(jobs)]
            + [partial(_write_part, checked, docs_dir, keep, before, tables, (part, jobs)) for part in range(jobs)]
        )
    else:
        whole = _write_part(checked, docs_dir, keep, before, tables, None)
        parts = [_write_downloads(checked, docs_dir, tables, (0, 1)), whole]
    done()
    done = _timed(checked.timings, "write", progress)
    files_dir = checked.content_dir / "files"
    copies = {f"files/{rel}": files_dir / rel for rel in sorted(archive.files)}
    copies.update(theme_assets())
    pages = [rel for written, _, _ in parts for rel in written]
    stats = write_docs(docs_dir, pages, [rel for _, changed, _ in parts for rel in changed], copies)
    listings = {path: digest for _, _, listed in parts for path, digest in listed.items()}
    state.write_text(json.dumps(replace(inputs, listings=listings).to_json(), ensure_ascii=False), encoding="utf-8")
    done()
    return len(pages), stats


def _write_downloads(checked: Checked, docs_dir: Path, tables: list[Table], share: tuple[int, int]) -> Written:
    """Write the ledger files of share (part, parts) that changed (CSV, XLSX): (the files, those written,
    no listing pages)."""
    from generator.ledgers import export

    assert checked.archive is not None and checked.views is not None
    part, parts = share
    downloads = export.files(checked.archive, checked.views, _dealt(tables, parts)[part])
    return list(downloads), write_pages(docs_dir, downloads), {}


def _dealt(tables: list[Table], parts: int) -> list[list[Table]]:
    """The tables over parts, each in turn (largest first) to the part with the fewest cells so far,
    so the parts take about the same time."""
    cells = [0] * parts
    dealt: list[list[Table]] = [[] for _ in range(parts)]
    for table in sorted(tables, key=lambda t: (-len(t.rows) * len(t.headers), t.name)):
        part = cells.index(min(cells))
        dealt[part].append(table)
        cells[part] += len(table.rows) * len(table.headers)
    return dealt


def _write_part(
    checked: Checked,
    docs_dir: Path,
    keep: Collection[tuple[str, str]],
    before: dict[str, str],
    tables: list[Table],
    share: tuple[int, int] | None,
) -> Written:
    """Render the pages of share (None: all) and write those that changed: (the pages, those written,
    the listing pages' digests). before: the last build's listing digests (`render.Listed`)."""
    from generator.stages.render import Listed, render  # Jinja: not for a check alone

    assert checked.archive is not None and checked.views is not None
    listed = Listed(before)
    pages = render(checked.archive, checked.views, keep=keep, share=share, tables=tables, listed=listed)
    if any(body is KEPT and not (docs_dir / rel).is_file() for rel, body in pages.items()):  # a page was lost
        listed = Listed()
        pages = render(checked.archive, checked.views, share=share, tables=tables, listed=listed)  # all anew
    return list(pages), write_pages(docs_dir, pages), listed.now


def _rendered(state: Path) -> changes.Inputs | None:
    try:
        return changes.Inputs.from_json(json.loads(state.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def theme_assets() -> dict[str, Path]:
    """Static files every site carries (stylesheet, search page script)."""
    assets = template_dir() / "assets"
    return {f"assets/{p.relative_to(assets).as_posix()}": p for p in sorted(assets.rglob("*")) if p.is_file()}
