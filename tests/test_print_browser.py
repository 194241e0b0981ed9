"""Printing: record pages and 会议记录本 printed to PDF by Chromium, read back as text.

A small archive is built by the real CLI; Chromium prints pages with `page.pdf()` and the
PDF's own text (pypdf) is what is checked: what an inspector holds in their hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import meeting_yaml as _meeting
from conftest import pdf_pages, serve_dir, write_archive, zhibu

pytestmark = pytest.mark.browser

A4 = (595, 842)  # points, portrait


MEETINGS = {  # oldest first, as the book prints them
    "meetings/2023/m1.yaml": _meeting("支委会", "2023-01-10", "一月支委会", "tags:\n  - 安全生产\n"),
    "meetings/2023/m2.yaml": _meeting("党员大会", "2023-02-15", "二月党员大会机密", "visibility: 受限\n"),
    "meetings/2023/m3.yaml": _meeting("主题党日", "2023-03-05", "三月主题党日", "tags:\n  - 读书\n"),
    "meetings/2023/m4.yaml": _meeting("支委会", "2023-03-20", "三月支委会"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("print")
    content = write_archive(root, MEETINGS)
    result = zhibu("build", "--content", content, "--site", root / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    with serve_dir(root / "site") as url:
        yield root / "site", url


def test_a_meeting_prints_as_a_formal_record(page: Any, site: tuple[Path, str]) -> None:
    _, url = site
    pages = pdf_pages(page, f"{url}/meetings/m3/")
    assert [size for _, size in pages] == [A4]
    text = pages[0][0]
    wanted_parts = ("三月主题党日", "会议类型", "主持人", "支部活动室", "三月主题党日的会议总结。")
    for wanted in (*wanted_parts, "主持人签字：", "记录人签字："):
        assert wanted in text, wanted
    # no site furniture: header (site name), breadcrumb, tags, file path, history, neighbour links
    for furniture in ("测试档案", "首页", "›", "标签", "读书", "记录文件", "content/", "最后更新", "上一次", "下一次"):
        assert furniture not in text, furniture
    page.emulate_media(media="print")
    assert page.eval_on_selector("h1", "h => getComputedStyle(h).color") == "rgb(0, 0, 0)"
    page.emulate_media(media="screen")
    # on screen the signature lines stay hidden, and the breadcrumb and neighbour links are there
    assert not page.locator(".zhibu-signatures").is_visible()
    assert page.locator(".zhibu-crumbs").is_visible() and page.locator(".zhibu-neighbours").is_visible()


def test_the_book_prints_one_meeting_per_page_in_date_order(page: Any, site: tuple[Path, str]) -> None:
    _, url = site
    pages = pdf_pages(page, f"{url}/orgs/zb/print/2023/")
    assert len(pages) == 1 + len(MEETINGS)  # the cover with its contents, then one page per meeting
    assert all(size == A4 for _, size in pages)
    cover, *meetings = (text for text, _ in pages)
    assert "第一党支部2023年会议记录本" in cover and "共召开会议 4 次" in cover and "受限会议 1 次" in cover
    assert "签字" not in cover
    titles = ["一月支委会", None, "三月主题党日", "三月支委会"]
    for number, (text, title) in enumerate(zip(meetings, titles, strict=True), start=1):
        assert text.lstrip().startswith(f"{number}. "), text
        if title is None:  # the restricted meeting keeps its place and its type, never its content
            assert "受限记录，不在公开站点显示" in text and "2023年2月党员大会" in text
            assert "机密" not in text and "会议总结" not in text and "签字" not in text
        else:
            assert title in text and f"{title}的会议总结。" in text
            assert text.count("主持人签字：") == 1 and text.count("记录人签字：") == 1, text
            assert sum(other in text for other in titles if other) == 1, text  # only its own meeting
    assert "用浏览器的“打印”" not in "".join(t for t, _ in pages)  # the screen-only hint


def test_a_ledger_prints_landscape(page: Any, site: tuple[Path, str]) -> None:
    _, url = site
    pages = pdf_pages(page, f"{url}/ledgers/compliance/")
    assert pages and all(size == A4[::-1] for _, size in pages)
    assert "三会一课" in pages[0][0] and "测试档案" not in pages[0][0]


def test_the_book_is_linked_and_never_searched(site: tuple[Path, str]) -> None:
    root, _ = site
    book = (root / "orgs" / "zb" / "print" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in book and "机密" not in book
    assert 'href="print/2023/"' in (root / "orgs" / "zb" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../orgs/zb/print/2023/"' in (root / "ledgers" / "compliance" / "index.html").read_text(
        encoding="utf-8"
    )


def test_the_printed_ledger_has_no_print_link_column(page: Any, site: tuple[Path, str]) -> None:
    _, url = site
    page.goto(f"{url}/ledgers/compliance/")
    assert page.get_by_role("link", name="打印").count() >= 1  # on screen the 会议记录本 links are there
    text = "".join(t for t, _ in pdf_pages(page, f"{url}/ledgers/compliance/"))
    assert "年度汇总" in text and "会议记录本" not in text and "打印" not in text, text


def test_a_restricted_cell_is_a_held_cell_marked_restricted(page: Any, site: tuple[Path, str]) -> None:
    """m2 (受限 党员大会) fills 2023 Q1: green like any held cell, ✓ 受限, no link."""
    _, url = site
    page.goto(f"{url}/ledgers/compliance/")
    cell = page.locator("td.zhibu-cell", has_text="受限")
    assert cell.count() == 1 and cell.get_attribute("title") == "2023年第1季度党员大会"
    assert cell.inner_text().replace("\n", "") == "✓受限" and cell.locator("a").count() == 0
    held = page.locator("td.zhibu-cell.held", has=page.locator("a")).first
    colour = "el => getComputedStyle(el).backgroundColor"
    assert cell.evaluate(colour) == held.evaluate(colour) != "rgba(0, 0, 0, 0)"
    marker = cell.locator(".zhibu-cell-restricted")
    assert marker.evaluate(colour) == "rgba(0, 0, 0, 0)"  # no chip of its own over the green
