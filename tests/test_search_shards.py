"""A search index as a base in shards and a delta (generator/stages/index.py).

ZHIBU_SHARD_PAGES=4 makes a small archive's base a multi-shard one. An incremental build keeps
the base and indexes only the record pages that differ from it, as the delta index, so the
index holds what a cold build's holds (compared here and in test_incremental.py) and the
browser, told which base results the delta replaces, finds what it finds in a cold build.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import meeting_yaml, serve_dir, write_archive, zhibu
from test_incremental import differences, tree
from test_search_browser import _found_count, all_results, run_search

from generator.stages.index import BASE, DELTA, MANIFEST, read_fragment

MEETINGS = {
    f"meetings/m{n:02}.yaml": meeting_yaml(
        "支委会", f"2023-03-{n:02}", f"第{n}次支委会", summary=f"例会{n:02}讨论了窑炉检修。"
    )
    for n in range(1, 13)
}
EDITED = meeting_yaml("支委会", "2023-03-05", "第5次支委会", summary="会上研究了铝锭称重。")
ADDED = meeting_yaml("支委会", "2023-03-13", "第13次支委会", summary="例会13讨论了窑炉检修。")
BUILD = ("--today", "2023-03-31", "--jobs", "2")


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIBU_SHARD_PAGES", "4")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1680000000")


def _build(content: Path, site: Path) -> None:
    result = zhibu("build", "--content", content, "--site", site, *BUILD)
    assert result.returncode == 0, result.stdout + result.stderr


def _base_files(site: Path) -> dict[str, int]:
    """The base index's files with their modification times."""
    index = site / "pagefind"
    return {
        p.relative_to(index).as_posix(): p.stat().st_mtime_ns
        for p in index.rglob("*")
        if p.is_file() and p.name != MANIFEST and p.relative_to(index).parts[0] != DELTA
    }


def _manifest(site: Path) -> dict[str, Any]:
    return json.loads((site / "pagefind" / MANIFEST).read_text(encoding="utf-8"))


def _delta_pages(site: Path) -> set[str]:
    """The pages the delta index holds."""
    fragments = (site / "pagefind" / DELTA).glob("fragment/*.pf_fragment")
    return {read_fragment(path)["url"] for path in fragments}


def _edit(content: Path) -> None:
    """One record deleted, one added: as many record pages as before."""
    (content / "meetings/m07.yaml").unlink()
    (content / "meetings/m13.yaml").write_text(ADDED, encoding="utf-8")


@pytest.fixture
def sites(tmp_path: Path, small_shards: None) -> dict[str, Any]:
    """A multi-shard site built, then built again after one record's summary was edited (the
    base files before and after), then once more after a record was deleted and one added;
    and the cold build of the same records."""
    content = write_archive(tmp_path, MEETINGS)
    site, cold = tmp_path / "site", tmp_path / "cold"
    _build(content, site)
    before = _base_files(site)
    (content / "meetings/m05.yaml").write_text(EDITED, encoding="utf-8")
    _build(content, site)
    after, delta = _base_files(site), _delta_pages(site)
    _edit(content)
    _build(content, site)
    shutil.rmtree(tmp_path / ".zhibu")
    _build(content, cold)
    return {"site": site, "cold": cold, "before": before, "after": after, "delta": delta}


def test_an_incremental_build_keeps_the_base_and_indexes_only_the_changed_pages(sites: dict[str, Any]) -> None:
    assert len(_manifest(sites["cold"])["shards"]) >= 2  # a multi-shard base
    assert sites["after"] == sites["before"]  # not one base file written again
    assert sites["delta"] == {"/meetings/m05/"}
    manifest = _manifest(sites["site"])
    assert manifest["delta"] == DELTA and "/meetings/m13/" in _delta_pages(sites["site"])
    assert len(manifest["days"]) == len(_delta_pages(sites["site"]))
    assert differences(tree(sites["site"]), tree(sites["cold"])) == []  # the same pages hold the same text


def _index_bytes(site: Path) -> dict[str, bytes]:
    index = site / "pagefind"
    return {p.relative_to(index).as_posix(): p.read_bytes() for p in sorted(index.rglob("*")) if p.is_file()}


def test_more_changed_pages_than_the_limit_make_the_base_again(
    tmp_path: Path, small_shards: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIBU_DELTA_PAGES", "1")
    content = write_archive(tmp_path, MEETINGS)
    site, cold = tmp_path / "site", tmp_path / "cold"
    _build(content, site)
    (content / "meetings/m05.yaml").write_text(EDITED, encoding="utf-8")
    _build(content, site)  # one page differs: a delta
    assert _delta_pages(site) == {"/meetings/m05/"}
    base = (site / "pagefind" / BASE).read_bytes()
    _edit(content)  # m07 gone, m13 new, their neighbours' pages changed: over the limit
    _build(content, site)
    assert _manifest(site)["delta"] is None and _manifest(site)["dropped"] == {}
    assert (site / "pagefind" / BASE).read_bytes() != base
    shutil.rmtree(tmp_path / ".zhibu")
    _build(content, cold)
    assert _index_bytes(site) == _index_bytes(cold)  # the base made again is the cold build's index


def _full(page: Any) -> list[str]:
    """The records holding every word of the query (not the partial matches below them)."""
    return page.eval_on_selector_all(
        "[data-list=full] .zhibu-search__title", "els => els.map(e => new URL(e.href).pathname)"
    )


@pytest.mark.browser
def test_a_delta_index_finds_the_new_text_and_forgets_the_old(page: Any, sites: dict[str, Any]) -> None:
    with serve_dir(sites["site"]) as url:
        run_search(page, url, "铝锭称重")  # only in the edited record's new summary
        assert _full(page) == ["/meetings/m05/"]
        run_search(page, url, "窑炉检修")  # in the old summary of m05, in the deleted m07 and in the new m13
        all_results(page)
        found, status = _full(page), page.inner_text(".zhibu-search__status")
        # Without words, newest first across the base shards and the delta.
        newest = run_search(page, url, 类型="会议")
    assert newest == [f"/meetings/m{n:02}/" for n in range(13, 0, -1) if n != 7], newest
    expected = {f"/meetings/m{n:02}/" for n in range(1, 14) if n not in (5, 7)}
    assert set(found) == expected and len(found) == len(expected), found
    assert _found_count(status) == len(expected), status


@pytest.mark.browser
def test_delta_cold_and_one_shard_sites_give_the_same_results(
    page: Any, sites: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same records searched in the site with a delta index, its cold build and a one-shard
    cold build: the same records, counts and facet counts, and without words the same order
    (the order of equal scores may differ between shard layouts: each shard ranks with its own
    word statistics)."""
    monkeypatch.delenv("ZHIBU_SHARD_PAGES")
    one = tmp_path / "one"
    content = tmp_path / "content"
    shutil.rmtree(tmp_path / ".zhibu")
    _build(content, one)
    assert _manifest(one)["shards"] == [] and _manifest(sites["site"])["dropped"]
    queries = [("窑炉检修", {}), ("支委会", {}), ("", {"类型": "会议"}), ("", {}), ("铝锭", {}), ("张伟", {})]
    # Pagefind matches the pages holding 窑炉 or 称重, none holds both; people are listed without a date.
    queries += [("窑炉称重", {}), ("", {"类型": "人员"})]
    seen: dict[str, list[tuple[list[str], str, str]]] = {}
    for name in ("site", "cold", "one"):
        with serve_dir(sites.get(name, one)) as url:
            for query, filters in queries:
                run_search(page, url, query, **filters)
                found = all_results(page)
                listed = found if not query else sorted(found)
                facets = page.inner_text(".zhibu-search__facets")
                seen.setdefault(name, []).append((listed, page.inner_text(".zhibu-search__status"), facets))
    assert seen["site"] == seen["cold"] == seen["one"]
    assert all(found for found, _, _ in seen["one"][:3])
    nothing, people = seen["one"][-2:]
    assert not nothing[0] and not any(c.isdigit() for c in nothing[2]), nothing  # no count promises a record
    assert len(people[0]) == 2 and "人员2" in people[2].replace(" ", ""), people
    assert "/meetings/m07/" not in {path for found, _, _ in seen["site"] for path in found}
