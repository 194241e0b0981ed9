"""Work proportional to the change: the per-file cache of `zhibu check` and incremental
builds, each compared with the result of doing everything from scratch."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from conftest import check_at, meeting_yaml, write_archive, zhibu

from generator.pipeline import RENDERED, Checked, generate
from generator.stages import changes
from generator.stages import load as load_stage
from generator.stages import render as render_stage
from generator.stages.cache import WorkCache, cache_dir
from generator.stages.index import DELTA, MANIFEST, read_fragment
from generator.stages.publish import in_processes

BROKEN = {
    "meetings/dup.yaml": "type: 支委会\ntitle: 甲\ntitle: 乙\norg: zb\ndate: 2023-03-08\n",
    "meetings/colon.yaml": "type： 支委会\ntitle: 丙\norg: zb\ndate: 2023-03-09\n",
    "people/bad.yaml": "name: [未闭合\n",
    "people/mobile.yaml": "name: 王五\nstatus: 群众\nbio: 电话 13912345678\n",
}


def _cache_files(content: Path) -> list[Path]:
    return sorted(cache_dir(content).glob("check-*"))


def test_a_second_check_from_the_cache_says_exactly_what_the_first_said(tmp_path: Path) -> None:
    content = write_archive(tmp_path, BROKEN)
    first = check_at(content)
    assert _cache_files(content), "the first check leaves its cache"
    second = check_at(content)
    assert second.diagnostics == first.diagnostics
    assert [(r.file, r.data, r.lines) for r in second.content.records] == [
        (r.file, r.data, r.lines) for r in first.content.records
    ]
    shutil.rmtree(content.parent / ".zhibu")
    assert check_at(content).diagnostics == first.diagnostics  # deleting .zhibu is safe


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    content = write_archive(tmp_path, BROKEN)
    check_at(content)
    (content / "people/bad.yaml").write_text("name: 赵六\nstatus: 群众\n", encoding="utf-8")
    checked = check_at(content)
    assert not [d for d in checked.diagnostics if d.file == "people/bad.yaml"]
    assert checked.archive is not None and checked.archive.records["people"]["bad"].data.name == "赵六"


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    content = write_archive(tmp_path, BROKEN)
    expected = check_at(content).diagnostics
    for garbage in (b"", b"\x00garbage", b"\xfb" * 100):
        (cached,) = _cache_files(content)
        cached.write_bytes(garbage)
        assert check_at(content).diagnostics == expected


def _outcome(checked: Checked) -> tuple[object, ...]:
    """Everything a check yields that the site and the problems page are made from."""
    archive, views = checked.archive, checked.views
    records = (
        None
        if archive is None
        else {c: sorted((r.id, r.data) for r in rs.values()) for c, rs in archive.records.items()}
    )
    derived = (
        None
        if views is None
        else (
            {c: [r.id for r in rs] for c, rs in views.sorted.items()},
            {t: {c: [r.id for r in rs] for c, rs in by.items()} for t, by in views.backlinks.items()},
            [
                (r.org.id, r.type, [(cell.status, [m.id for m in cell.meetings]) for cell in r.cells])
                for r in views.compliance
            ],
            {m: (a.expected, a.present, a.unaccounted) for m, a in views.attendance.items()},
        )
    )
    return checked.diagnostics, checked.inputs, records, derived, sorted(checked.content.sources.items())


def test_a_preview_check_that_keeps_unchanged_files_equals_a_full_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`zhibu serve` keeps each unchanged file's loaded and validated record between saves (by its
    status-change time): after every kind of edit its check says exactly what a fresh one says."""
    monkeypatch.setattr(load_stage, "_RACY_NS", 0)  # trust a file's times at once (edits below are apart)
    content = write_archive(
        tmp_path,
        {
            **BROKEN,
            "meetings/m1.yaml": meeting_yaml("支委会", "2023-03-02", "第1次支委会"),
            "meetings/m2.yaml": meeting_yaml("党员大会", "2023-03-10", "第1次党员大会"),
        },
    )
    kept = WorkCache(None)

    def same() -> None:
        incremental = check_at(content, cache=kept)
        assert _outcome(incremental) == _outcome(check_at(content))

    def edit(rel: str, text: str | None) -> None:
        time.sleep(0.02)  # past the clock tick of the last read
        if text is None:
            (content / rel).unlink()
        else:
            (content / rel).write_text(text, encoding="utf-8")
        same()

    same()
    same()  # nothing changed: every file kept
    edit("people/bad.yaml", "name: 赵六\nstatus: 群众\n")  # an error goes
    edit("people/li.yaml", "name: [李娜\n")  # an error comes, in a person others refer to
    edit("people/li.yaml", "name: 李娜\nstatus: 正式党员\nmemberships:\n  - org: zb\n")  # a person moves
    edit("orgs/xz.yaml", "name: 乙班党小组\nkind: 党小组\nparent: zb\ncrew: 乙班\n")  # an org renamed
    edit("meetings/m1.yaml", None)  # a file deleted
    edit("meetings/m3.yaml", meeting_yaml("支委会", "2023-03-20", "第2次支委会"))  # a file added
    edit("meetings/m3.yaml", meeting_yaml("支委会", "2023-03-20", "第2次支委会").replace("zhang", "li"))
    edit("meetings/dup.yaml", meeting_yaml("支委会", "2023-03-21", "第3次支委会"))  # a duplicate key fixed
    edit("archive.yaml", "name: 测试档案\nowner: dzz\npii_allowlist:\n  - '13912345678'\n")
    # Same size, modification time put back: its status-change time still tells.
    path = content / "people/zhang.yaml"
    before = path.stat()
    time.sleep(0.02)
    path.write_text(path.read_text(encoding="utf-8").replace("张伟", "张炜"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    same()


def _mtimes(site: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in site.rglob("*")}


@pytest.mark.usefixtures("fixed_build_date")
def test_a_clean_build_repairs_a_site_damaged_by_hand(tmp_path: Path) -> None:
    """The records are as last built, so a plain build leaves a deleted page missing; --clean
    builds the whole site again, equal to a cold build."""
    content = write_archive(tmp_path, MEETINGS)
    site, cold = tmp_path / "site", tmp_path / "cold"
    build = ("build", "--content", content, "--today", "2023-03-31")
    assert zhibu(*build, "--site", cold).returncode == 0
    assert zhibu(*build, "--site", site).returncode == 0
    page = next(site.glob("meetings/*/index.html"))
    page.unlink()
    assert "已是最新" in zhibu(*build, "--site", site).stdout and not page.exists()
    again = zhibu(*build, "--site", site, "--clean")
    assert again.returncode == 0 and "已生成站点" in again.stdout, again.stdout + again.stderr
    assert tree(site) == tree(cold)


def test_a_build_with_nothing_changed_leaves_the_site_as_it_is(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"files/a.pdf": b"%PDF-1.4"})
    site = tmp_path / "site"
    build = ("build", "--content", content, "--site", site, "--today", "2023-03-31")
    assert zhibu(*build).returncode == 0
    before = _mtimes(site)
    again = zhibu(*build)
    assert again.returncode == 0 and "已是最新" in again.stdout, again.stdout + again.stderr
    assert _mtimes(site) == before  # no MkDocs, no Pagefind, no copy
    # Each input of the site makes the next build a real one: another day (overdue meetings) …
    later = zhibu("build", "--content", content, "--site", site, "--today", "2023-04-30")
    assert later.returncode == 0 and "已生成站点" in later.stdout
    # … an attachment, a hand-written page, a record.
    for rel, body in (
        ("files/a.pdf", b"%PDF-1.5"),
        ("pages/about.md", "# 关于\n\n新的说明\n"),
        ("people/li.yaml", None),
    ):
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if body is None:
            path.unlink()
        elif isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
        rebuilt = zhibu(*build)
        assert rebuilt.returncode == 0 and "已生成站点" in rebuilt.stdout, (rel, rebuilt.stdout + rebuilt.stderr)


MEETING = "type: 支委会\ntitle: 第{n}次支委会\norg: zb\ndate: 2023-03-{n:02}\nattendees:\n  - zhang\n"
MEETINGS = {f"meetings/m{n:02}.yaml": MEETING.format(n=n) for n in range(1, 13)}


def tree(site: Path) -> dict[str, bytes]:
    """Every file of a site (or docs folder), by path, but for the search index: what it holds
    (`indexed`), under "pagefind/". Nothing is left out: SOURCE_DATE_EPOCH (set by the tests below) fixes the one
    timestamp MkDocs writes (in sitemap.xml.gz), and the build state is equal when the inputs are."""
    files = {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file()}
    found = {rel: path.read_bytes() for rel, path in files.items() if not rel.startswith("pagefind/")}
    if not (site / "pagefind").is_dir():
        return found
    return {**found, "pagefind/": json.dumps(indexed(site), ensure_ascii=False, sort_keys=True).encode()}


def indexed(site: Path) -> dict[str, dict[str, object]]:
    """What Pagefind returns for each record page (its text, filters and meta, as its fragment
    holds them), over the base shards and the delta index, less the base pages the manifest
    drops: the index a search sees, whether made whole or as a base and a delta."""
    index = site / "pagefind"
    dropped = json.loads((index / MANIFEST).read_text(encoding="utf-8"))["dropped"]
    found: dict[str, dict[str, object]] = {}
    for path in sorted(index.rglob("*.pf_fragment")):
        in_delta = path.relative_to(index).parts[0] == DELTA
        if path.stem in dropped and not in_delta:
            continue
        fragment = read_fragment(path)
        assert fragment["url"] not in found, fragment["url"]  # each page once
        found[fragment["url"]] = fragment
    return found


def differences(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    return sorted(set(one) ^ set(other)) + [p for p in sorted(set(one) & set(other)) if one[p] != other[p]]


@pytest.fixture
def fixed_build_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1680000000")


@pytest.mark.usefixtures("fixed_build_date")
def test_a_parallel_cold_build_equals_a_single_process_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = write_archive(tmp_path, MEETINGS)
    sites = {}
    # One process; three; then parts of at most 10 pages (more parts than jobs, a large site's
    # way of bounding each MkDocs process's memory), three and one at a time.
    for name, jobs, part_pages in (("one", 1, ""), ("three", 3, ""), ("parts3", 3, "10"), ("parts1", 1, "10")):
        monkeypatch.setenv("ZHIBU_PART_PAGES", part_pages)
        shutil.rmtree(tmp_path / ".zhibu", ignore_errors=True)
        site = tmp_path / f"site-{name}"
        result = zhibu("build", "--content", content, "--site", site, "--jobs", jobs, "--today", "2023-03-31")
        assert result.returncode == 0, result.stdout + result.stderr
        sites[name] = tree(site)
    assert any(p.startswith("pagefind/") for p in sites["three"])
    assert len([p for p in sites["one"] if p.endswith("index.html")]) > 30  # more than three parts of 10
    for name in ("three", "parts3", "parts1"):
        assert differences(sites["one"], sites[name]) == [], name


def test_a_large_site_is_built_in_more_parts_than_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.stages.publish import PART_PAGES, part_count

    monkeypatch.delenv("ZHIBU_PART_PAGES", raising=False)
    assert part_count(100, 2) == 2
    assert part_count(2 * PART_PAGES, 2) == 2
    assert part_count(2 * PART_PAGES + 1, 2) == 3  # each MkDocs process holds at most PART_PAGES pages
    assert part_count(12_700 * 2, 2) == 5
    assert part_count(2 * PART_PAGES + 1, 1) == 3


@pytest.mark.usefixtures("fixed_build_date")
def test_one_record_changed_gives_the_site_of_a_cold_build(tmp_path: Path) -> None:
    content = write_archive(tmp_path, MEETINGS)
    site, cold = tmp_path / "site", tmp_path / "cold"
    build = ("--today", "2023-03-31", "--jobs", "2")
    assert zhibu("build", "--content", content, "--site", site, *build).returncode == 0
    changed = content / "meetings/m05.yaml"
    changed.write_text(
        changed.read_text(encoding="utf-8").replace("第5次支委会", "第5次支委会（改）"), encoding="utf-8"
    )
    assert zhibu("build", "--content", content, "--site", site, *build).returncode == 0
    shutil.rmtree(tmp_path / ".zhibu")
    assert zhibu("build", "--content", content, "--site", cold, *build).returncode == 0
    assert "第5次支委会（改）" in (site / "meetings/m05/index.html").read_text(encoding="utf-8")
    assert differences(tree(site), tree(cold)) == []


# A second branch under the same 党总支, four references away from the first branch's meetings.
FAR = {
    "orgs/zb2.yaml": "name: 第二党支部\nkind: 党支部\nparent: dzz\n",
    "people/wang.yaml": "name: 王芳\nstatus: 正式党员\nmemberships:\n  - org: zb2\n",
    "meetings/n01.yaml": "type: 支委会\ntitle: 二支部支委会\norg: zb2\ndate: 2023-03-20\nattendees:\n  - wang\n",
}


def _edit(content: Path, rel: str, old: str, new: str) -> None:
    path = content / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_only_the_record_pages_near_a_change_are_rendered_again(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {**MEETINGS, **FAR})
    docs = tmp_path / "docs"
    generate(check_at(content), docs)
    _edit(content, "meetings/m05.yaml", "第5次支委会", "第5次支委会（改）")
    checked = check_at(content)
    assert checked.archive is not None and checked.views is not None
    now = changes.inputs_of(checked.archive, checked.views, checked.content, "False")
    kept = changes.unchanged(changes.Inputs.from_json(json.loads((docs / RENDERED).read_text("utf-8"))), now)
    assert ("meetings", "n01") in kept and ("meetings", "m05") not in kept
    assert ("meetings", "m04") not in kept  # its neighbour link names m05
    # A changed person or org may change how other records' references read: every page again.
    _edit(content, "people/wang.yaml", "王芳", "王芳芳")
    generate(checked, docs)
    checked = check_at(content)
    assert checked.archive is not None and checked.views is not None
    now = changes.inputs_of(checked.archive, checked.views, checked.content, "False")
    assert changes.unchanged(changes.Inputs.from_json(json.loads((docs / RENDERED).read_text("utf-8"))), now) == set()


def test_listing_pages_are_rendered_again_exactly_when_what_they_show_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listing page is kept by a digest of its title, pager and rows, a meeting's page unless the
    change is one reference away: after each edit the docs equal a cold render's (李娜's page too,
    whose attendance counts a meeting that does not name her), and an edit no list shows (a
    summary) renders no listing page."""
    monkeypatch.setattr(render_stage, "PER_PAGE", 5)  # the year's meetings over three pages
    # 李娜 is expected at the branch's 党员大会 (a member of its 党小组) without being named in it.
    assembly = "type: 党员大会\ntitle: 党员大会\norg: zb\ndate: 2023-03-15\nattendees:\n  - zhang\n"
    content = write_archive(tmp_path, {**MEETINGS, **FAR, "meetings/d01.yaml": assembly})
    docs = tmp_path / "docs"
    generate(check_at(content), docs)
    m05 = "meetings/m05.yaml"  # on the second page of its lists (newest first)
    second = {"years/2023/meetings/2.md", "orgs/zb/meetings/2.md", "people/zhang/meetings/2.md"}
    edits: list[tuple[str, Callable[[], None], set[str] | None]] = [
        ("summary", lambda: _edit(content, m05, "attendees:", "summary: 新的总结\nattendees:"), set()),
        ("title", lambda: _edit(content, m05, "第5次支委会", "第5次支委会（改）"), second),
        ("role", lambda: _edit(content, m05, "attendees:", "host: zhang\nattendees:"), {"people/zhang/meetings/2.md"}),
        ("moved", lambda: _edit(content, m05, "2023-03-05", "2023-03-28"), None),
        ("removed", lambda: (content / "meetings/m07.yaml").unlink(), None),
        ("assembly removed", lambda: (content / "meetings/d01.yaml").unlink(), None),
    ]
    for name, edit, rendered in edits:
        edit()
        _, stats = generate(check_at(content), docs)
        listings = {rel for rel in stats.changed if rel.startswith(("years/", "tags/", "people/zhang/", "orgs/zb/m"))}
        cold = tmp_path / f"cold-{name}"
        generate(check_at(content), cold)
        assert differences(tree(docs), tree(cold)) == [], name
        assert rendered is None or listings == rendered, name
    assert "（主持、出席）" in (docs / "people/zhang/meetings.md").read_text(encoding="utf-8")


def test_only_the_ledger_files_holding_a_changed_record_are_made_again(tmp_path: Path) -> None:
    """A retitled meeting is in the meetings and attendance ledgers: only their files are written
    again (a workbook made, its digest beside it); every ledger file equals a cold build's."""
    content = write_archive(tmp_path, MEETINGS)
    docs, files = tmp_path / "docs", tmp_path / "docs/ledgers/files"
    generate(check_at(content), docs)
    made = {p.name: p.stat().st_mtime_ns for p in sorted(files.iterdir())}  # a workbook's digest is hidden
    assert {".会议.xlsx.digest", ".三会一课.xlsx.digest", "三会一课.xlsx"} <= set(made)
    _edit(content, "meetings/m05.yaml", "第5次支委会", "第5次支委会（改）")
    _, stats = generate(check_at(content), docs)
    again = {name for name, mtime in made.items() if (files / name).stat().st_mtime_ns != mtime}
    assert again == {"会议.xlsx", ".会议.xlsx.digest", "会议.csv", "出勤.xlsx", ".出勤.xlsx.digest", "出勤.csv"}
    assert {rel for rel in stats.changed if rel.startswith("ledgers/files/")} == {
        f"ledgers/files/{name}" for name in again if not name.startswith(".")
    }
    generate(check_at(content), tmp_path / "cold")
    assert {p.name: p.read_bytes() for p in sorted(files.iterdir())} == {
        p.name: p.read_bytes() for p in sorted((tmp_path / "cold/ledgers/files").iterdir())
    }


def test_docs_written_in_parts_equal_docs_written_in_one_process(tmp_path: Path) -> None:
    """Three processes render disjoint parts of the pages while a fourth writes the ledger files:
    the docs folder, and what each build says it wrote, are those of one process, cold, after a
    change and after a page was lost from the docs folder."""
    content = write_archive(tmp_path, {**MEETINGS, **FAR})
    docs = {jobs: tmp_path / f"docs{jobs}" for jobs in (1, 3)}

    def build_both() -> None:
        checked = check_at(content)
        pages, stats = zip(*(generate(checked, docs[jobs], jobs=jobs) for jobs in (1, 3)), strict=True)
        assert pages[0] == pages[1]
        summaries = [(s.written, s.unchanged, s.removed, sorted(s.changed)) for s in stats]
        assert summaries[0] == summaries[1]
        assert differences(tree(docs[1]), tree(docs[3])) == []

    build_both()
    _edit(content, "meetings/m05.yaml", "第5次支委会", "第5次支委会（改）")
    build_both()
    for folder in docs.values():
        (folder / "meetings/n01.md").unlink()
    build_both()
    assert (docs[3] / "meetings/n01.md").is_file()


def test_a_task_failing_in_its_process_fails_them_all() -> None:
    assert in_processes([partial(int, "1"), partial(str, 2)]) == [1, "2"]
    with pytest.raises(RuntimeError, match="invalid literal"):
        in_processes([partial(int, "1"), partial(int, "一")])


def test_a_failing_task_does_not_wait_for_the_others() -> None:
    stopped = threading.Event()

    def run() -> None:
        with pytest.raises(RuntimeError, match="invalid literal"):
            in_processes([partial(time.sleep, 3600), partial(int, "一")])
        stopped.set()

    threading.Thread(target=run, daemon=True).start()
    assert stopped.wait(120)  # the sleeping process was stopped, not waited for


@pytest.mark.usefixtures("fixed_build_date")
def test_incremental_builds_equal_cold_builds_after_edits_that_reach_other_pages(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {**MEETINGS, **FAR})
    site = tmp_path / "site"
    build = ("--today", "2023-03-31", "--jobs", "1")
    assert zhibu("build", "--content", content, "--site", site, *build).returncode == 0
    edits: list[tuple[str, Callable[[], None]]] = [
        # m05 moves after m12: the neighbour links of m04, m06 and m12 change.
        ("moved", lambda: _edit(content, "meetings/m05.yaml", "2023-03-05", "2023-03-28")),
        # a person renamed shows on every meeting page that lists her.
        ("renamed", lambda: _edit(content, "people/zhang.yaml", "张伟", "张卫")),
        ("removed", lambda: (content / "meetings/m07.yaml").unlink()),
    ]
    for name, edit in edits:
        edit()
        assert zhibu("build", "--content", content, "--site", site, *build).returncode == 0, name
        cold = tmp_path / f"cold-{name}"
        cold_content = cold / "content"
        shutil.copytree(content, cold_content)
        assert zhibu("build", "--content", cold_content, "--site", cold / "site", *build).returncode == 0, name
        assert differences(tree(site), tree(cold / "site")) == [], name
    assert "张卫" in (site / "meetings/m02/index.html").read_text(encoding="utf-8")


def _snapshot(site: Path, keep: Path) -> dict[str, tuple[int, bytes]]:
    """Every file of site: its inode and bytes; keep holds a hard link to each (so its inode,
    and what is in it, outlives the site)."""
    found = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            rel = path.relative_to(site).as_posix()
            found[rel] = (path.stat().st_ino, path.read_bytes())
            (keep / rel).parent.mkdir(parents=True, exist_ok=True)
            (keep / rel).hardlink_to(path)
    return found


def _retitle(content: Path, title: str) -> None:
    changed = content / "meetings/m05.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("第5次支委会", title), encoding="utf-8")


@pytest.mark.usefixtures("fixed_build_date")
def test_an_incremental_build_never_writes_into_the_previous_site(tmp_path: Path) -> None:
    """The new site starts as a hard-link clone of the previous one: nothing is copied, and no
    file the two share is ever written through, whether the build fails or succeeds."""
    dangling = {"pages/about.md": "# 关于\n\n见[不存在的页面](missing.md)。\n"}
    content = write_archive(tmp_path, {**MEETINGS, **dangling})
    site, keep = tmp_path / "site", tmp_path / "keep"
    build = ("build", "--content", content, "--site", site, "--today", "2023-03-31", "--jobs", "1")
    assert zhibu(*build).returncode == 0
    before = _snapshot(site, keep)
    _retitle(content, "第5次支委会（改）")
    failed = zhibu(*build, "--check-links")  # fails after MkDocs wrote the changed pages
    assert failed.returncode == 1 and "原有站点保持不变" in failed.stderr, failed.stdout + failed.stderr
    assert {rel: (p.stat().st_ino, p.read_bytes()) for rel, p in _files(site).items()} == before
    assert zhibu(*build).returncode == 0
    after = _files(site)
    assert "第5次支委会（改）" in after["meetings/m05/index.html"].read_text(encoding="utf-8")
    assert {rel: (keep / rel).read_bytes() for rel in before} == {rel: body for rel, (_, body) in before.items()}
    shared = [rel for rel, path in after.items() if rel in before and path.stat().st_ino == before[rel][0]]
    assert "meetings/m01/index.html" in shared  # an unchanged page is the previous site's file, not a copy
    # Pages, templates and static files (the meetings ledger) MkDocs wrote again are new files;
    # the sitemap of the same pages, the same day, is not written again.
    assert not {"meetings/m05/index.html", "404.html", "ledgers/files/会议.xlsx"} & set(shared)
    assert "sitemap.xml" in shared
    assert after["ledgers/files/会议.xlsx"].read_bytes() != before["ledgers/files/会议.xlsx"][1]


def _files(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _until(seconds: float, found: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found():
            return True
        time.sleep(0.2)
    return False


def test_serve_shows_a_saved_change_and_its_search_index_follows(tmp_path: Path) -> None:
    content = write_archive(tmp_path, MEETINGS)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert _until(120, lambda: "第5次支委会" in _fetch(base + "/meetings/m05/"))
        entry = _fetch(base + "/pagefind/zhibu-shards.json")
        assert entry
        changed = content / "meetings/m05.yaml"
        changed.write_text(changed.read_text(encoding="utf-8").replace("第5次支委会", "第5次党课改"), encoding="utf-8")
        assert _until(120, lambda: "第5次党课改" in _fetch(base + "/meetings/m05/"))
        # The index follows in the background (a delta beside the base) and replaces the old one whole.
        assert _until(120, lambda: _fetch(base + "/pagefind/zhibu-shards.json") not in ("", entry))
    finally:
        server.terminate()
        server.wait(timeout=30)
