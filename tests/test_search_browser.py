"""Search and browsing in a real browser: Debian's Chromium against the built demo site."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import yaml
from conftest import DEMO, meeting_yaml, serve_dir, write_archive, zhibu
from test_search_cli import absent_meetings

from generator.pipeline import check
from generator.search.understand import respelling, understand, vocabulary

QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text(encoding="utf-8"))
pytestmark = pytest.mark.browser


def run_search(page: Any, base: str, query: str = "", **filters: str) -> list[str]:
    """Open /search/ with the query in the URL; returns result paths in order."""
    params = [f"q={quote(query)}"] if query else []
    params += [f"{quote(k)}={quote(v)}" for k, v in filters.items()]
    page.goto(f"{base}/search/?{'&'.join(params)}")
    return results(page)


def results(page: Any) -> list[str]:
    page.wait_for_selector("#zhibu-search[data-state=done]", timeout=15000)
    hrefs = page.eval_on_selector_all(".zhibu-search__title", "els => els.map(e => e.href)")
    return [urlsplit(h).path for h in hrefs]


def test_query_set_is_large_enough() -> None:
    assert len(QUERIES) >= 100


@pytest.mark.parametrize("case", QUERIES, ids=[c["query"] for c in QUERIES])
def test_every_query_finds_its_record_in_the_first_three(page: Any, demo_url: str, case: dict) -> None:
    expected = case["expect"] if isinstance(case["expect"], list) else [case["expect"]]
    found = run_search(page, demo_url, case["query"])
    assert set(found[:3]) & set(expected), (case["query"], found[:5])


def test_a_name_finds_the_meetings_attended_and_the_honours(page: Any, demo_url: str) -> None:
    assert run_search(page, demo_url, "苏永刚")[0] == "/people/yjl-01/"
    assert "/honours/jituan-youxiu-dy-2024/" in run_search(page, demo_url, "苏永刚", 类型="荣誉")
    hosted = run_search(page, demo_url, "苏永刚", 会议类型="支委会", 年份="2025")
    assert "/meetings/yjl-zwh-2025-03/" in hosted
    assert len(hosted) == 12  # every 支委会 of 2025 of his branch


def all_results(page: Any) -> list[str]:
    """Every result, 显示更多 clicked until it is gone."""
    found = results(page)
    while page.locator(".zhibu-search__more").count():
        page.click(".zhibu-search__more")
        found = results(page)
    return found


def test_more_results_load_on_demand(page: Any, demo_url: str) -> None:
    first = run_search(page, demo_url, "支委会")
    page.click(".zhibu-search__more")
    more = results(page)
    assert len(first) == 20 and len(more) > 30 and more[:20] == first and len(set(more)) == len(more)


def test_every_match_is_reachable_past_the_first_batch(page: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """90 records hold the word in their summary only (no key): reaching them all reads several batches."""
    root = tmp_path_factory.mktemp("many")
    first = date(2023, 1, 1)
    meetings = {
        f"meetings/2023/m{i:02d}.yaml": meeting_yaml(
            "支委会", (first + timedelta(days=i)).isoformat(), f"例会{i:02d}", summary="会上布置了窑炉检修。"
        )
        for i in range(1, 91)
    }
    content = write_archive(root, meetings)
    result = zhibu("build", "--content", content, "--site", root / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    with serve_dir(root / "site") as url:
        run_search(page, url, "窑炉检修")
        assert "以上" in page.inner_text(".zhibu-search__status")
        found = all_results(page)
        status = page.inner_text(".zhibu-search__status")
    assert len(found) == 90 and found[69]  # the 70th match, and every other, listed once
    assert sorted(found) == sorted(f"/meetings/m{i:02d}/" for i in range(1, 91))
    assert _found_count(status) == 90 and "以上" not in status, status


@pytest.mark.parametrize(("others", "checked"), [(90, None), (320, 300)], ids=["found", "button"])
def test_a_record_ranked_past_the_first_batch_is_reachable_and_never_reported_missing(
    page: Any, tmp_path_factory: pytest.TempPathFactory, others: int, checked: int | None
) -> None:
    """One record holds 铜渣浮选尾矿 once in a long text; short ones hold 铜渣 and 浮选 apart many times
    (two of its five pairs: neither a full nor a partial match) and Pagefind ranks them all above it.
    While nothing is found the page reads on, five batches at a time: past those it says how many it
    checked and offers the button, never 没有找到 while candidates are unread (the header box neither)."""
    root = tmp_path_factory.mktemp("buried")
    first = date(2023, 1, 1)
    meetings = {
        f"meetings/m{i:03d}.yaml": meeting_yaml(
            "支委会", (first + timedelta(days=i)).isoformat(), f"例会{i:03d}", summary="谈了铜渣，又谈浮选。" * 8
        )
        for i in range(others)
    }
    filler = "".join(f"第{n}项，车间开展了设备维护和安全检查工作，班组落实了交接班制度。" for n in range(60))
    meetings["meetings/wanted.yaml"] = meeting_yaml(
        "党员大会", "2022-06-01", "年中党员大会", summary=f"{filler}会上提出研究铜渣浮选尾矿的回收。{filler}"
    )
    content = write_archive(root, meetings)
    result = zhibu("build", "--content", content, "--site", root / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    with serve_dir(root / "site") as url:
        found = run_search(page, url, "铜渣浮选尾矿")
        ranked = page.evaluate(
            """async () => {
                const pagefind = await import("/pagefind/pagefind.js");
                const found = await pagefind.search("铜渣浮选尾矿");
                return Promise.all(found.results.map(async (r) => (await r.data()).url));
            }"""
        )
        assert ranked.index("/meetings/wanted/") >= (checked or 60), ranked.index("/meetings/wanted/")
        statuses = [page.inner_text(".zhibu-search__status")]
        empty_counts = _facet_counts(page, "类型")
        while "/meetings/wanted/" not in found and page.locator(".zhibu-search__more").count():
            page.click(".zhibu-search__more")
            found = results(page)
            statuses.append(page.inner_text(".zhibu-search__status"))
        counts = _facet_counts(page, "类型")
        page.goto(url + "/")  # the search page has no header box
        page.fill(".zhibu-header-search input", "铜渣浮选尾矿")
        page.wait_for_selector(".zhibu-header-search[data-state=done]", timeout=15000)
        header = page.inner_text(".zhibu-header-results__all")
        run_search(page, url, "浮选铜渣精矿")  # Pagefind's candidates are the same; none holds half its pairs
        missing = [page.inner_text(".zhibu-search__status")]
        while page.locator(".zhibu-search__more").count():
            page.click(".zhibu-search__more")
            results(page)
            missing.append(page.inner_text(".zhibu-search__status"))
    assert missing[-1].startswith("没有找到") and len(missing) == (2 if checked else 1), missing  # once all are read
    assert found == ["/meetings/wanted/"], (found, statuses)
    if checked:
        assert statuses[0].startswith(f"已核对最相关的 {checked} 条") and empty_counts == {}, (statuses, empty_counts)
        assert header.startswith(f"已核对最相关的 {checked} 条"), header
    else:
        assert len(statuses) == 1 and header.startswith("全部结果（1 条"), (statuses, header)
    assert not any("没有找到" in status for status in statuses), statuses
    assert counts == {"会议": "1+" if "以上" in statuses[-1] else "1"}, (counts, statuses)


def test_two_words_narrow_the_results(page: Any, demo_url: str) -> None:
    one = run_search(page, demo_url, "攻关")
    status_one = page.inner_text(".zhibu-search__status")
    both = run_search(page, demo_url, "阳极炉 攻关")
    status_both = page.inner_text(".zhibu-search__status")
    assert both[0] == "/projects/yjl-qiyuan-gongguan/" or "/projects/yjl-qiyuan-gongguan/" in both[:3]
    assert _found_count(status_both) < _found_count(status_one)
    assert one


def _found_count(status: str) -> int:
    return int(status.split("找到 ")[1].split(" ")[0])


@pytest.mark.parametrize("query", ["苏永刚 2025年3月", "廖浩然 支委会", "支委会", "阳极炉 攻关", "阳极炉"])
def test_the_count_is_the_number_listed_after_filters(page: Any, demo_url: str, query: str) -> None:
    run_search(page, demo_url, query)
    found = all_results(page)
    status = page.inner_text(".zhibu-search__status")
    assert _found_count(status) == page.locator("[data-list=full] li").count(), (query, status)
    assert len(set(found)) == len(found) and "约" not in status and "全文检索" not in status


@pytest.mark.parametrize(
    ("query", "filters", "options", "count"),
    [("苏永刚 2025年 支委会", {}, [], 12), ("苏永刚", {"类型": "荣誉"}, ["--type", "荣誉"], 1)],
)
def test_a_name_and_a_filter_find_every_record_zhibu_search_finds(
    page: Any, demo_url: str, query: str, filters: dict[str, str], options: list[str], count: int
) -> None:
    """The filters cut the key index's candidates before any row is read: none may go missing."""
    listed = zhibu("search", "--content", DEMO, *options, *query.split())
    assert listed.returncode == 0, listed.stderr
    expected = {
        f"/{Path(line.split()[-1]).parts[0]}/{Path(line.split()[-1]).stem}/" for line in listed.stdout.splitlines()
    }
    run_search(page, demo_url, query, **filters)
    all_results(page)
    full = page.eval_on_selector_all(
        "[data-list=full] .zhibu-search__title", "els => els.map(e => new URL(e.href).pathname)"
    )
    assert len(expected) == count and set(full) == expected, full


def test_partial_matches_hold_a_whole_query_word(page: Any, demo_url: str) -> None:
    run_search(page, demo_url, "炉口安全 不存在")
    status = page.inner_text(".zhibu-search__status")
    assert "没有同时包含“炉口安全”“不存在”的记录" in status
    partial = page.locator("[data-list=partial] li").all_inner_texts()
    assert 0 < len(partial) <= 40, len(partial)
    for text in partial[:3]:
        assert "炉口安全" in text or "不存在" in text, text


def test_no_hits_says_so_in_chinese(page: Any, demo_url: str) -> None:
    assert run_search(page, demo_url, "不存在的词语ABC") == []
    assert "没有找到" in page.inner_text(".zhibu-search__status")


def test_facets_narrow_and_count_the_records(page: Any, demo_url: str, demo_checked) -> None:
    archive = demo_checked.archive
    meetings = archive.records["meetings"].values()
    by_org = Counter(archive.records["orgs"][m.data.org].data.name for m in meetings)
    run_search(page, demo_url, 类型="会议")
    page.click("fieldset[data-facet=组织] .zhibu-facet__open")  # counted once opened: its index loads then
    results(page)
    facet = page.locator("fieldset[data-facet=组织] label")
    shown = {}
    for text in facet.all_inner_texts():
        name, count = text.strip().rsplit(" ", 1)
        shown[name.strip()] = int(count)
    assert shown == dict(by_org)
    in_2025 = sum(1 for m in meetings if m.data.date.year == 2025)
    page.click("fieldset[data-facet=年份] .zhibu-facet__open")
    results(page)
    page.locator("fieldset[data-facet=年份] label", has_text="2025").locator("input").check()
    page.wait_for_selector("#zhibu-search[data-state=done]")
    assert f"找到 {in_2025} 条记录" in page.inner_text(".zhibu-search__status")
    assert "%E5%B9%B4%E4%BB%BD=2025" in page.url  # the chosen facet is kept in the URL


def test_a_listing_loads_the_counts_of_the_type_facet_only_until_another_is_opened(page: Any, demo_url: str) -> None:
    """Without words Pagefind counts a facet from its whole filter index (人员: 65 KB at 10,000 records):
    only on demand. With words the facets count the records listed: no filter index at all."""
    filters: list[str] = []
    page.on("request", lambda r: filters.append(r.url) if "/pagefind/filter/" in r.url else None)
    run_search(page, demo_url, 年份="2025")
    assert len(filters) == 2 and page.locator("fieldset[data-facet=类型] input").count()  # 类型, and 年份 to filter
    assert not page.locator("fieldset[data-facet=人员] input").count()
    page.click("fieldset[data-facet=人员] .zhibu-facet__open")
    results(page)
    assert len(filters) == 3 and page.locator("fieldset[data-facet=人员] input").count()
    filters.clear()
    run_search(page, demo_url, "炉口安全")
    page.click("fieldset[data-facet=组织] .zhibu-facet__open")
    results(page)
    assert not filters and page.locator("fieldset[data-facet=组织] input").count()


def test_results_show_title_date_org_type_and_a_marked_excerpt(page: Any, demo_url: str) -> None:
    run_search(page, demo_url, "炉衬耐材")
    first = page.locator(".zhibu-search__result").first
    assert "炉衬耐材" in first.inner_text()
    meta = page.locator(".zhibu-search__meta").first.inner_text()
    assert "2025" in meta and "活动" in meta
    assert page.locator(".zhibu-search__excerpt mark").count() > 0


def test_header_box_opens_the_search_page(page: Any, demo_url: str) -> None:
    page.goto(demo_url + "/")
    page.fill(".zhibu-header-search input", "云南省工人先锋号")
    page.press(".zhibu-header-search input", "Enter")
    assert "/honours/yunnan-gongren-xianfeng/" in results(page)[:3]


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_the_header_box_shows_results_while_typing(browser: Any, demo_url: str, width: int) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(demo_url + "/meetings/")
    box = page.locator(".zhibu-header-search input")
    box.click()
    box.fill("云南省工人先锋号")
    page.wait_for_selector(".zhibu-header-search[data-state=done]", timeout=15000)
    listed = page.locator(".zhibu-header-results__item")
    assert listed.first.is_visible()
    assert urlsplit(listed.first.get_attribute("href")).path == "/honours/yunnan-gongren-xianfeng/"
    shown = page.locator(".zhibu-header-results").bounding_box()
    assert shown["x"] >= 0 and shown["x"] + shown["width"] <= width  # wholly on screen, phones too
    page.keyboard.press("Escape")
    assert not page.locator(".zhibu-header-results").is_visible()
    box.fill("炉口安全")
    page.wait_for_function(
        "() => decodeURIComponent(document.querySelector('.zhibu-header-results__all').href).includes('炉口安全')"
    )
    page.click(".zhibu-header-results__all")
    assert results(page)
    assert page.locator(".zhibu-search__form input").input_value() == "炉口安全"
    context.close()


def test_pages_request_nothing_outside_and_log_no_errors(page: Any, demo_url: str) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(demo_url + "/")
    page.goto(demo_url + "/meetings/yjl-zwh-2025-03/")
    run_search(page, demo_url, "支委会")
    outside = [u for u in requests if not u.startswith(demo_url) and not u.startswith("data:")]
    assert not outside and not errors, (outside, errors)


def test_person_listing_pages_link_every_meeting_attended(demo_site: Path) -> None:
    checked = check(DEMO)
    archive = checked.archive
    for person_id in ("yjl-01", "zl-06"):
        attended = {
            m.id
            for m in archive.records["meetings"].values()
            if person_id in [archive.get("people", a).id for a in m.data.attendees]
        }
        pages = [
            demo_site / "people" / person_id / "meetings" / "index.html",
            *sorted((demo_site / "people" / person_id / "meetings").glob("*/index.html")),
        ]
        html = "".join(p.read_text(encoding="utf-8") for p in pages)
        missing = [m for m in attended if f"meetings/{m}/" not in html]
        assert attended and not missing, missing


def test_understood_filters_show_as_chips_and_each_can_be_removed(page: Any, demo_url: str) -> None:
    found = run_search(page, demo_url, "阳极炉2025年3月支委会")
    assert found[0] == "/meetings/yjl-zwh-2025-03/"
    chips = page.locator(".zhibu-chip").all_inner_texts()
    labels = [c.replace("×", "").strip() for c in chips]
    assert labels == ["日期：2025年3月", "组织：阳极炉生产线党支部", "类型：支委会"]
    page.locator(".zhibu-chip", has_text="日期").locator("button").click()
    after = results(page)
    assert page.input_value(".zhibu-search__form input") == "阳极炉 支委会"
    # every 支委会 of the branch, newest first
    assert after[:2] == ["/meetings/yjl-zwh-2026-11/", "/meetings/yjl-zwh-2026-10/"]
    assert parse_qs(urlsplit(page.url).query)["q"] == ["阳极炉 支委会"]


QUERIES_TO_COMPARE = [
    "阳极炉甲乙班党小组会 2025年3月 交流",
    "电解党支部2025年度民主评议党员",
    "3月份 转炉支委会",
    "2025-03 转炉支委会",
    "甲班 党小组会",
    "ＱＣ成果 降低残极率",
    "精炼厂 省部级荣誉 2025年",
    "苏永刚 党课",
    "转炉党支部2024年第1次支委会",
    "朱文军 缺席",
    "缺席朱文军 车间主任列席",
    "请假",
]


def test_the_page_understands_a_query_exactly_as_zhibu_search_does(page: Any, demo_url: str, demo_checked) -> None:
    words = vocabulary(demo_checked.archive, lambda r: f"{r.collection}/{r.id}/")
    run_search(page, demo_url)
    for query in QUERIES_TO_COMPARE:
        expected = understand(query, words)
        shown = page.evaluate(
            "async (q) => window.zhibuSearch.understand(q, await (await fetch('../search/keys/vocab.json')).json())",
            query,
        )
        assert shown["words"] == list(expected.words), query
        assert {k: tuple(v) for k, v in shown["filters"].items()} == expected.filters, query
        assert [tuple(c) for c in shown["chips"]] == list(expected.chips), query
        assert [tuple(n) for n in shown["named"]] == list(expected.named), query


def test_when_no_record_holds_every_word_the_page_says_so(page: Any, demo_url: str) -> None:
    found = run_search(page, demo_url, "炉口防喷溅 申请书")
    assert "没有同时包含“炉口防喷溅”“申请书”的记录" in page.inner_text(".zhibu-search__status")
    assert page.locator(".zhibu-search__partial").is_visible()
    assert found[0] == "/achievements/yjl-zhuanli-lukou/"
    assert page.locator("[data-list=full] li").count() == 0
    assert run_search(page, demo_url, "炉口防喷溅")[0] == "/achievements/yjl-zhuanli-lukou/"
    assert page.locator("[data-list=full] li").count() >= 1
    assert "没有同时包含" not in page.inner_text(".zhibu-search__status")


# One query per collection at least: meetings, achievements (with metrics), activities, projects, honours,
# assessments, people and orgs.
EXCERPT_QUERIES = (
    "防喷溅",
    "专利",
    "苏永刚 主题党日",
    "安全生产法",
    "降本增效",
    "天然气单耗",
    "读书会",
    "揭榜挂帅",
    "优秀共产党员",
    "双百考核",
    "苏永刚",
    "民主评议",
)


@pytest.mark.parametrize("query", EXCERPT_QUERIES)
def test_excerpts_come_from_the_record_text_never_page_furniture(page: Any, demo_url: str, query: str) -> None:
    run_search(page, demo_url, query)
    results = page.locator(".zhibu-search__result").all()
    assert results, query
    for result in results:
        title = result.locator(".zhibu-search__title").inner_text()
        text = result.locator(".zhibu-search__excerpt").inner_text()
        assert "首页" not in text and "›" not in text and "上一次" not in text, (query, text)
        assert not any(label in text for label in ("会议类型", "出席率", "应到", "2026-01-01")), (query, text)
        assert not any(cell in text for cell in ("数值", "原值", "（改善）")), (query, text)  # a metrics table
        first = text.split(". ")[0]  # Pagefind ends the title's block with ". "
        assert not (first and title.endswith(first)), (query, text)  # the title is the line above, not the excerpt


def test_back_undoes_a_removed_chip_and_a_ticked_facet(page: Any, demo_url: str) -> None:
    first = run_search(page, demo_url, "阳极炉2025年3月支委会")
    page.locator(".zhibu-chip", has_text="日期").locator("button").click()
    results(page)
    page.click("fieldset[data-facet=年份] .zhibu-facet__open")
    results(page)
    page.locator("fieldset[data-facet=年份] label", has_text="2026").locator("input").check()
    ticked = results(page)
    page.go_back()
    page.wait_for_function("() => !location.search.includes('%E5%B9%B4%E4%BB%BD')")
    page.wait_for_selector("#zhibu-search[data-state=done]")
    assert page.input_value(".zhibu-search__form input") == "阳极炉 支委会"
    assert not page.locator("fieldset[data-facet=年份] input:checked").count()
    assert len(results(page)) >= len(ticked)
    page.go_back()
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === '阳极炉2025年3月支委会'")
    page.wait_for_selector("#zhibu-search[data-state=done]")
    assert results(page) == first
    assert page.input_value(".zhibu-search__form input") == "阳极炉2025年3月支委会"


def test_typing_searches_after_a_pause(page: Any, demo_url: str) -> None:
    run_search(page, demo_url)
    page.fill(".zhibu-search__form input", "炉衬耐材")
    page.wait_for_function("() => location.search.includes('q=')")
    assert "/activities/" in " ".join(results(page)[:3]) or results(page)
    assert parse_qs(urlsplit(page.url).query)["q"] == ["炉衬耐材"]


def test_opened_from_disk_the_page_says_to_serve_the_site(page: Any, demo_site: Path) -> None:
    page.goto((demo_site / "search" / "index.html").as_uri())
    page.wait_for_selector("#zhibu-search[data-state=failed]", timeout=15000)
    status = page.inner_text(".zhibu-search__status")
    assert "zhibu serve" in status and "联系管理员" not in status


def _facet_counts(page: Any, facet: str) -> dict[str, str]:
    """A facet's values and their counts as shown ("3", or "3+" while candidates are unread)."""
    shown = {}
    for text in page.locator(f"fieldset[data-facet={facet}] label").all_inner_texts():
        value, count = text.strip().rsplit(" ", 1)
        shown[value.strip()] = count
    return shown


def test_facets_count_only_the_records_listed(page: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Pagefind matches a page holding any part of 铜渣浮选尾矿; the list holds only the record with
    the whole word and the one with most of it (a partial match): the facets count those two, and
    ticking each value lists as many as it says."""
    root = tmp_path_factory.mktemp("parts")
    meetings = {
        "meetings/whole.yaml": meeting_yaml("支委会", "2024-05-10", "五月支委会", summary="研究了铜渣浮选尾矿的回收。"),
        "meetings/most.yaml": meeting_yaml("党员大会", "2023-04-10", "四月党员大会", summary="讲了铜渣浮选工艺。"),
        **{
            f"meetings/part{i}.yaml": meeting_yaml(kind, f"{year}-0{i + 1}-15", f"例会{i}", summary=f"会上谈到{part}。")
            for i, (kind, year, part) in enumerate(
                [
                    ("支委会", 2022, "铜渣"),
                    ("党员大会", 2022, "浮选"),
                    ("党员大会", 2025, "尾矿"),
                    ("支委会", 2025, "尾矿库"),
                ]
            )
        },
    }
    content = write_archive(root, meetings)
    result = zhibu("build", "--content", content, "--site", root / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    with serve_dir(root / "site") as url:
        assert sorted(run_search(page, url, "铜渣浮选尾矿")) == ["/meetings/most/", "/meetings/whole/"]
        for facet in ("会议类型", "年份"):
            page.click(f"fieldset[data-facet={facet}] .zhibu-facet__open")
            results(page)
        offered = {facet: _facet_counts(page, facet) for facet in ("类型", "会议类型", "年份")}
        assert offered == {
            "类型": {"会议": "2"},
            "会议类型": {"支委会": "1", "党员大会": "1"},
            "年份": {"2024": "1", "2023": "1"},
        }
        for facet, counts in offered.items():
            for value, count in counts.items():
                box = page.locator(f"fieldset[data-facet={facet}] label", has_text=value).locator("input")
                box.check()
                assert len(all_results(page)) == int(count), (facet, value)
                page.locator(f"fieldset[data-facet={facet}] label", has_text=value).locator("input").uncheck()
                results(page)


@pytest.mark.parametrize("query", ["阳极炉 攻关", "党课 安全", "炉口防喷溅", "支委会", "阳极炉", "苏永刚 2025年"])
def test_the_facet_counts_add_up_to_the_results_and_each_lists_its_count(page: Any, demo_url: str, query: str) -> None:
    """Every record has one 类型: once every candidate is read the 类型 counts add up to the records
    listed, and each value ticked lists its count."""
    run_search(page, demo_url, query)
    listed = len(all_results(page))
    counts = _facet_counts(page, "类型")
    assert sum(int(c) for c in counts.values()) == listed, (query, counts, listed)
    for value, count in counts.items():
        run_search(page, demo_url, query, 类型=value)
        assert len(all_results(page)) == int(count), (query, value)


def test_while_candidates_are_unread_the_facet_counts_are_lower_bounds(page: Any, demo_url: str) -> None:
    run_search(page, demo_url, "苏永刚")
    assert "以上" in page.inner_text(".zhibu-search__status")
    counts = _facet_counts(page, "类型")
    assert counts and all(c.endswith("+") for c in counts.values()), counts
    assert sum(int(c[:-1]) for c in counts.values()) == _found_count(page.inner_text(".zhibu-search__status"))
    for value, count in counts.items():
        run_search(page, demo_url, "苏永刚", 类型=value)
        assert len(all_results(page)) >= int(count[:-1]), value


def test_the_empty_search_offers_only_types_that_list_records(page: Any, demo_url: str) -> None:
    """Pagefind sorted by date leaves out pages without a date (people, orgs): they are listed after
    the others, so every type offered on the empty search page lists as many records as it says."""
    run_search(page, demo_url)
    counts = _facet_counts(page, "类型")
    assert {"人员", "组织"} <= set(counts)
    for value in ("人员", "组织", "荣誉"):
        run_search(page, demo_url, 类型=value)
        assert len(all_results(page)) == int(counts[value]), value


def test_a_mistyped_name_is_searched_as_the_name_it_is_like(page: Any, demo_url: str) -> None:
    assert run_search(page, demo_url, "苏勇刚")[0] == "/people/yjl-01/"
    assert "（按“苏永刚”查找）" in page.inner_text(".zhibu-search__status")
    run_search(page, demo_url, "阳级炉 支委会")
    assert "（按“阳极炉 支委会”查找）" in page.inner_text(".zhibu-search__status")
    found = all_results(page)
    assert len(found) == 24 and all(path.startswith("/meetings/yjl-zwh-") for path in found)
    assert page.locator(".zhibu-chip", has_text="组织：阳极炉生产线党支部").count() == 1


def test_a_respelling_that_finds_nothing_whole_either_is_a_link(page: Any, demo_url: str) -> None:
    assert run_search(page, demo_url, "苏勇刚 炉口防喷溅") == []
    assert "是不是“苏永刚 炉口防喷溅”？" in page.inner_text(".zhibu-search__status")
    page.click(".zhibu-search__suggested")
    results(page)
    assert parse_qs(urlsplit(page.url).query)["q"] == ["苏永刚 炉口防喷溅"]
    assert page.input_value("#zhibu-search input[type=search]") == "苏永刚 炉口防喷溅"


def test_the_page_respells_a_query_exactly_as_zhibu_search_does(page: Any, demo_url: str, demo_checked) -> None:
    words = vocabulary(demo_checked.archive)
    people = [p.data.name for p in demo_checked.archive.records["people"].values()]
    run_search(page, demo_url)
    typed = ("苏勇刚", "阳级炉 支委会", "缺席 苏勇刚", "转护党支部 支部会", "廖浩燃 专利")
    for query in (*typed, "苏永刚", "苏永", "申请书", "大国工匠读书分享会"):
        expected = respelling(query, understand(query, words), [*words.terms, *people])
        shown = page.evaluate(
            """async (q) => {
                const vocab = await (await fetch('../search/keys/vocab.json')).json();
                const people = await (await fetch('../search/keys/people.json')).json();
                const s = window.zhibuSearch;
                return s.respelling(q, s.understand(q, vocab), [...Object.keys(vocab.terms), ...people], vocab.roles);
            }""",
            query,
        )
        assert shown == expected, query


def test_absent_and_a_name_finds_the_meetings_missed(page: Any, demo_url: str, demo_checked) -> None:
    missed = absent_meetings(demo_checked.archive, "朱文军")
    for query in ("朱文军 缺席", "缺席 朱文军"):
        run_search(page, demo_url, query)
        full = page.eval_on_selector_all("[data-list=full] .zhibu-search__title", "els => els.map(e => e.href)")
        assert {urlsplit(h).path for h in full} == missed, query
        assert page.inner_text(".zhibu-search__status").startswith("找到 5 条")
    run_search(page, demo_url, "缺席")
    assert set(all_results(page)) == absent_meetings(demo_checked.archive)


@pytest.mark.parametrize("query", ["支委会", "炉口 支委会", "苏永刚"])
def test_only_facets_that_list_something_are_offered(page: Any, demo_url: str, query: str) -> None:
    """A kind facet of a type not listed (成果类别 among 支委会) would vanish when opened: it is not offered."""
    run_search(page, demo_url, query)
    closed = page.eval_on_selector_all("fieldset[data-closed]", "els => els.map(e => e.dataset.facet)")
    if query != "苏永刚":
        assert not {"成果类别", "荣誉级别", "活动类型", "项目类型"} & set(closed), closed
    for name in closed:
        page.click(f"fieldset[data-facet={name}] .zhibu-facet__open")
        results(page)
        assert page.locator(f"fieldset[data-facet={name}] input").count(), (query, name)
