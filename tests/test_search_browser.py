"""Search and browsing in a real browser: Debian's Chromium against the built demo site."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import yaml
from conftest import DEMO

from generator.pipeline import check

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
    assert len(QUERIES) >= 30


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


def test_more_results_load_on_demand(page: Any, demo_url: str) -> None:
    first = run_search(page, demo_url, "支委会")
    page.click(".zhibu-search__more")
    more = results(page)
    assert len(first) == 20 and len(more) > 30 and more[:20] == first and len(set(more)) == len(more)


def test_two_words_narrow_the_results(page: Any, demo_url: str) -> None:
    one = run_search(page, demo_url, "攻关")
    status_one = page.inner_text(".zhibu-search__status")
    both = run_search(page, demo_url, "阳极炉 攻关")
    status_both = page.inner_text(".zhibu-search__status")
    assert both[0] == "/projects/yjl-qiyuan-gongguan/" or "/projects/yjl-qiyuan-gongguan/" in both[:3]
    assert _full_text_count(status_both) < _full_text_count(status_one)
    assert one


def _full_text_count(status: str) -> int:
    part = status.split("全文检索 ")[1]
    return int(part.split(" ")[0])


def test_no_hits_says_so_in_chinese(page: Any, demo_url: str) -> None:
    assert run_search(page, demo_url, "不存在的词语ABC") == []
    assert "没有找到" in page.inner_text(".zhibu-search__status")


def test_facets_narrow_and_count_the_records(page: Any, demo_url: str, demo_checked) -> None:
    archive = demo_checked.archive
    meetings = archive.records["meetings"].values()
    by_org = Counter(archive.records["orgs"][m.data.org].data.name for m in meetings)
    run_search(page, demo_url, 类型="会议")
    facet = page.locator("fieldset[data-facet=组织] label")
    shown = {}
    for text in facet.all_inner_texts():
        name, count = text.strip().rsplit(" ", 1)
        shown[name.strip()] = int(count)
    assert shown == dict(by_org)
    in_2025 = sum(1 for m in meetings if m.data.date.year == 2025)
    page.locator("fieldset[data-facet=年份] label", has_text="2025").locator("input").check()
    page.wait_for_selector("#zhibu-search[data-state=done]")
    assert f"全文检索 {in_2025} 条" in page.inner_text(".zhibu-search__status")
    assert "%E5%B9%B4%E4%BB%BD=2025" in page.url  # the chosen facet is kept in the URL


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
