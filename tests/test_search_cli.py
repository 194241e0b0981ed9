"""`zhibu search` understands a query as the search page does: the query set, strict filters, partial matches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DEMO, zhibu

from generator.pipeline import Checked
from generator.search.query import Query, search
from generator.search.understand import respelling, understand, vocabulary

QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text(encoding="utf-8"))


def test_the_query_set_covers_every_kind_people_type() -> None:
    kinds = {case["kind"] for case in QUERIES}
    assert len(QUERIES) >= 100
    assert {"人名", "同名", "部分标题", "组织+类型", "日期", "标签", "议题", "两词", "无全匹配"} <= kinds


@pytest.mark.parametrize("case", QUERIES, ids=[c["query"] for c in QUERIES])
def test_every_query_finds_its_record_in_the_first_three(demo_checked: Checked, case: dict) -> None:
    expected = case["expect"] if isinstance(case["expect"], list) else [case["expect"]]
    found = search(demo_checked.archive, Query(tuple(case["query"].split())))
    paths = [f"/{r.collection}/{r.id}/" for r in [*found.full, *found.partial]]
    assert set(paths[:3]) & set(expected), (case["query"], paths[:5])


def test_org_short_names_dates_and_types_become_filters(demo_checked: Checked) -> None:
    words = vocabulary(demo_checked.archive)
    found = understand("阳极炉甲乙班党小组会 2025年3月 交流", words)
    assert found.words == ("交流",)
    assert found.filters == {"年月": ("2025-03",), "组织": ("阳极炉甲乙班党小组",), "会议类型": ("党小组会",)}
    assert [label for label, _ in found.chips] == ["日期：2025年3月", "组织：阳极炉甲乙班党小组", "类型：党小组会"]
    assert understand("电解党支部2025年度民主评议党员", words).words == ("2025年度",)  # the year covered stays text
    assert understand("3月份", words).filters == {"年月": ("2024-03", "2025-03", "2026-03")}
    assert understand("2025-03", words).filters == understand("2025年3月", words).filters
    assert understand("甲班", words).filters["组织"] == ("电解甲乙班党小组", "阳极炉甲乙班党小组", "转炉甲乙班党小组")
    assert understand("阳极炉", words).named == (("yjl-zb", "阳极炉生产线党支部"),)
    assert understand("阳极炉 支委会", words).named == ()  # a type asked for: the org's page is not the answer


def test_unknown_person_or_org_is_a_usage_error_with_suggestions() -> None:
    person = zhibu("search", "--person", "苏永", "--content", DEMO)
    assert person.returncode == 2 and "找不到人员“苏永”，是不是“苏永刚”（yjl-01）？" in person.stderr
    assert zhibu("search", "--person", "王五", "--content", DEMO).returncode == 2
    org = zhibu("search", "--org", "不存在的组织", "--content", DEMO)
    assert org.returncode == 2 and "找不到组织“不存在的组织”" in org.stderr and not org.stdout
    shared = zhibu("search", "--org", "甲班", "--content", DEMO)
    assert shared.returncode == 2 and "“甲班”可指" in shared.stderr
    for short in ("阳极炉党支部", "阳极炉", "yjl-zb"):
        found = zhibu("search", "支委会", "--org", short, "--content", DEMO)
        assert found.returncode == 0 and "阳极炉党支部2026年第11次支委会" in found.stdout.splitlines()[0], short


@pytest.mark.parametrize(
    ("option", "typed", "first"),
    [
        (
            "--org",
            "yjl",
            "“阳极炉丙丁班党小组”（yjl-bd）、“阳极炉甲乙班党小组”（yjl-jy）、“阳极炉生产线党支部”（yjl-zb）",
        ),
        ("--org", "阳级炉", "“阳极炉生产线党支部”（yjl-zb）"),
        ("--person", "yjl-0", "“苏永刚”（yjl-01）、“廖浩然”（yjl-02）、“朱文军”（yjl-03）"),
        ("--person", "苏勇刚", "“苏永刚”（yjl-01）"),
    ],
)
def test_orgs_and_people_are_suggested_alike_by_id_prefix_or_a_similar_name(
    option: str, typed: str, first: str
) -> None:
    result = zhibu("search", "支委会", option, typed, "--content", DEMO)
    what = "组织" if option == "--org" else "人员"
    assert result.returncode == 2 and not result.stdout
    assert f"找不到{what}“{typed}”，是不是{first}" in result.stderr, result.stderr


def test_date_phrases_work_in_the_query_and_the_filters_are_shown() -> None:
    result = zhibu("search", "2025年3月支委会", "--content", DEMO)
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and len(lines) == 3
    assert all(line.startswith("2025-03-") and "支委会" in line for line in lines)
    assert "按条件：日期：2025年3月；类型：支委会" in result.stderr


def test_no_record_with_every_word_says_so_and_lists_partial_matches_apart() -> None:
    result = zhibu("search", "炉口防喷溅", "申请书", "--content", DEMO)
    lines = result.stdout.splitlines()
    assert result.returncode == 1
    assert lines[0] == "没有同时包含“炉口防喷溅”“申请书”的记录。只包含部分关键词的记录："
    assert "一种阳极炉炉口防喷溅装置" in lines[1]


def absent_meetings(archive: Any, person: str | None = None) -> set[str]:
    """The meetings with an absentee recorded (`person`: that person), as result paths."""
    return {
        f"/meetings/{m.id}/"
        for m in archive.records["meetings"].values()
        if any(person in (None, archive.get("people", a.person).data.name) for a in m.data.absent)
    }


def test_a_mistyped_name_is_searched_as_the_name_it_is_like() -> None:
    person = zhibu("search", "苏勇刚", "--content", DEMO)
    assert person.returncode == 0 and "没有找到与“苏勇刚”相关的记录，按“苏永刚”查找：" in person.stderr
    assert "苏永刚  people/yjl-01.yaml" in person.stdout.splitlines()[0]
    org = zhibu("search", "阳级炉", "支委会", "--content", DEMO)
    assert org.returncode == 0 and "按“阳极炉 支委会”查找" in org.stderr and "组织：阳极炉生产线党支部" in org.stderr
    lines = org.stdout.splitlines()
    assert len(lines) == 24 and all("阳极炉党支部" in line and "支委会" in line for line in lines)


def test_a_respelling_that_finds_nothing_whole_either_is_only_suggested() -> None:
    result = zhibu("search", "苏勇刚", "炉口防喷溅", "--content", DEMO)
    assert result.returncode == 1 and "按“" not in result.stderr
    assert result.stdout.splitlines()[-1] == "是不是“苏永刚 炉口防喷溅”？"
    typed = zhibu("search", "炉口防喷溅", "申请书", "--content", DEMO)  # no word like a name: nothing suggested
    assert "是不是" not in typed.stdout + typed.stderr


def test_respelling_takes_near_misses_only(demo_checked: Checked) -> None:
    words = vocabulary(demo_checked.archive)
    people = [p.data.name for p in demo_checked.archive.records["people"].values()]

    def respelled(query: str) -> str | None:
        return respelling(query, understand(query, words), [*words.terms, *people])

    assert respelled("苏勇刚") == "苏永刚"
    assert respelled("阳级炉 支委会") == "阳极炉 支委会"
    assert respelled("缺席 苏勇刚") == "缺席 苏永刚"  # the name, not the attendance word joined to it
    assert respelled("苏永刚") is respelled("苏永") is respelled("王芳") is respelled("申请书") is None
    assert respelled("大国工匠读书分享会") is None  # like 读书会 by difflib's ratio, but no typo of it


def test_absent_and_a_name_finds_the_meetings_missed(demo_checked: Checked) -> None:
    archive = demo_checked.archive
    missed = absent_meetings(archive, "朱文军")
    assert len(missed) == 5
    for query in (("朱文军", "缺席"), ("缺席", "朱文军"), ("朱文军缺席",), ("朱文军", "请假")):
        found = search(archive, Query(query))
        assert {f"/{r.collection}/{r.id}/" for r in found.full} == missed, query
    alone = search(archive, Query(("缺席",)))
    assert {f"/{r.collection}/{r.id}/" for r in alone.full} == absent_meetings(archive)
    shown = zhibu("search", "朱文军", "缺席", "--content", DEMO)
    assert shown.returncode == 0 and len(shown.stdout.split("只包含部分关键词的记录")[0].splitlines()) == 5
