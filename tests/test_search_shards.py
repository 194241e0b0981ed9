"""A search index in shards (generator/stages/index.py), rebuilt only where pages changed.

ZHIBU_SHARD_PAGES=4 makes a small archive a multi-shard one. An incremental build indexes
again only the shards whose record pages changed, and every shard is indexed from the same
pages as in a cold build, so the incremental site, index included, is byte for byte the cold
build's (compared here and in test_incremental.py); the browser then searches all shards as one.
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

from generator.stages.index import MANIFEST, plan_shards

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


def _shard_files(site: Path) -> dict[str, dict[str, int]]:
    """Each shard's files with their modification times."""
    index = site / "pagefind"
    folders = ["", *json.loads((index / MANIFEST).read_text(encoding="utf-8"))["shards"]]
    return {
        folder: {
            p.relative_to(index).as_posix(): p.stat().st_mtime_ns
            for p in (index / folder).rglob("*")
            if p.is_file() and (folder or not p.relative_to(index).as_posix().startswith("shard-"))
        }
        for folder in folders
    }


def _edit(content: Path) -> None:
    """One record deleted, one added: as many record pages as before."""
    (content / "meetings/m07.yaml").unlink()
    (content / "meetings/m13.yaml").write_text(ADDED, encoding="utf-8")


@pytest.fixture
def sites(tmp_path: Path, small_shards: None) -> dict[str, Any]:
    """A multi-shard site built, then built again after one record's summary was edited (the
    shard files before and after), then once more after a record was deleted and one added;
    and the cold build of the same records."""
    content = write_archive(tmp_path, MEETINGS)
    site, cold = tmp_path / "site", tmp_path / "cold"
    _build(content, site)
    before = _shard_files(site)
    (content / "meetings/m05.yaml").write_text(EDITED, encoding="utf-8")
    _build(content, site)
    after = _shard_files(site)
    _edit(content)
    _build(content, site)
    shutil.rmtree(tmp_path / ".zhibu")
    _build(content, cold)
    return {"site": site, "cold": cold, "before": before, "after": after}


def test_an_incremental_build_indexes_only_the_shard_whose_page_changed(sites: dict[str, Any]) -> None:
    before, after = sites["before"], sites["after"]
    assert len(after) >= 3 and list(after) == list(before)
    (edited,) = [s.folder for s in plan_shards(sites["site"]) if "meetings/m05/index.html" in s.pages]
    assert [folder for folder in after if after[folder] != before[folder]] == [edited]
    assert differences(tree(sites["site"]), tree(sites["cold"])) == []


def _full(page: Any) -> list[str]:
    """The records holding every word of the query (not the partial matches below them)."""
    return page.eval_on_selector_all(
        "[data-list=full] .zhibu-search__title", "els => els.map(e => new URL(e.href).pathname)"
    )


@pytest.mark.browser
def test_a_multi_shard_index_finds_the_new_text_and_forgets_the_old(page: Any, sites: dict[str, Any]) -> None:
    with serve_dir(sites["site"]) as url:
        run_search(page, url, "铝锭称重")  # only in the edited record's new summary
        assert _full(page) == ["/meetings/m05/"]
        run_search(page, url, "窑炉检修")  # in the old summary of m05, in the deleted m07 and in the new m13
        all_results(page)
        found, status = _full(page), page.inner_text(".zhibu-search__status")
        # Without words, newest first across the shards (each shard sorts only its own pages).
        newest = run_search(page, url, 类型="会议")
    assert newest == [f"/meetings/m{n:02}/" for n in range(13, 0, -1) if n != 7], newest
    expected = {f"/meetings/m{n:02}/" for n in range(1, 14) if n not in (5, 7)}
    assert set(found) == expected and len(found) == len(expected), found
    assert _found_count(status) == len(expected), status


@pytest.mark.browser
def test_incremental_cold_and_one_shard_sites_give_the_same_results(
    page: Any, sites: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same records searched in the incremental multi-shard site, its cold build and a
    one-shard cold build: the same records and counts (the order of equal scores may differ
    between shard layouts: each shard ranks with its own word statistics)."""
    monkeypatch.delenv("ZHIBU_SHARD_PAGES")
    one = tmp_path / "one"
    content = tmp_path / "content"
    shutil.rmtree(tmp_path / ".zhibu")
    _build(content, one)
    assert json.loads((one / "pagefind" / MANIFEST).read_text(encoding="utf-8"))["shards"] == []
    queries = [("窑炉检修", {}), ("支委会", {}), ("", {"类型": "会议"}), ("铝锭", {}), ("张伟", {})]
    seen: dict[str, list[tuple[list[str], str]]] = {}
    for name in ("site", "cold", "one"):
        with serve_dir(sites.get(name, one)) as url:
            for query, filters in queries:
                run_search(page, url, query, **filters)
                found = sorted(all_results(page))
                seen.setdefault(name, []).append((found, page.inner_text(".zhibu-search__status")))
    assert seen["site"] == seen["cold"] == seen["one"]
    assert all(found for found, _ in seen["one"])
