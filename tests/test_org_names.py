"""What people call an org: ids, names, aliases and derived short names, through the real loader."""

from __future__ import annotations

from pathlib import Path

from conftest import DEMO, check_at, diagnostics_of, only_error, write_archive, zhibu

from generator.pipeline import check

BRANCH = {
    "orgs/zb.yaml": (
        "name: 阳极炉生产线党支部\nkind: 党支部\nparent: dzz\nline: 阳极炉生产线\naliases: [老阳极炉支部]\n"
        "officers:\n  - person: zhang\n    role: 书记\n    from: 2020-01-01\n"
    ),
    "orgs/xz.yaml": "name: 阳极炉甲乙班党小组\nkind: 党小组\nparent: zb\ncrew: 甲班、乙班\n",
    "orgs/zb2.yaml": "name: 转炉生产线党支部\nkind: 党支部\nparent: dzz\n",
    "orgs/xz2.yaml": "name: 转炉甲乙班党小组\nkind: 党小组\nparent: zb2\ncrew: 甲班、乙班\n",
}


def test_short_names_come_from_the_full_name_line_and_crew(tmp_path: Path) -> None:
    archive = check_at(write_archive(tmp_path, BRANCH)).archive
    for typed in ("阳极炉生产线党支部", "阳极炉党支部", "阳极炉支部", "阳极炉", "阳极炉生产线", "zb", "老阳极炉支部"):
        assert archive.find_org(typed).id == "zb", typed
    for typed in ("阳极炉甲乙班", "阳极炉甲班", "阳极炉乙班", "阳极炉甲乙班小组", " 阳极炉 甲乙班党小组 "):
        assert archive.find_org(typed).id == "xz", typed
    assert archive.find_org("转炉").id == "zb2"


def test_a_short_name_two_orgs_share_names_both_and_the_error_says_which(tmp_path: Path) -> None:
    archive = check_at(write_archive(tmp_path, BRANCH)).archive
    assert [o.id for o in archive.find_orgs("甲班")] == ["xz", "xz2"]
    assert archive.find_org("甲班") is None
    assert (
        archive.org_error("甲班") == "“甲班”可指“阳极炉甲乙班党小组”（xz）、“转炉甲乙班党小组”（xz2），请写全称或编号"
    )


def test_an_unknown_org_gets_close_names_and_a_bare_number_is_no_short_name(tmp_path: Path) -> None:
    archive = check_at(write_archive(tmp_path, BRANCH)).archive
    assert archive.org_error("阳极").startswith("找不到组织“阳极”，是不是“阳极炉生产线党支部”（zb）")
    assert archive.org_error("不存在的组织") == "找不到组织“不存在的组织”"
    first = check_at(write_archive(tmp_path / "b")).archive  # 第一党支部
    assert first.find_org("第一支部").id == "zb" and first.find_org("第一") is None


def test_an_alias_names_one_org_only_and_outranks_a_derived_short_name(tmp_path: Path) -> None:
    taken = "name: 转炉生产线党支部\nkind: 党支部\nparent: dzz\naliases:\n  - 转炉\n  - 阳极炉生产线党支部\n"
    problem = only_error(tmp_path, {**BRANCH, "orgs/zb2.yaml": taken})
    assert (problem.file, problem.line, problem.field) == ("orgs/zb2.yaml", 6, "aliases.1")
    assert "“阳极炉生产线党支部”" in problem.message
    twice = "name: 转炉生产线党支部\nkind: 党支部\nparent: dzz\naliases: [老阳极炉支部]\n"
    both = [d for d in diagnostics_of(tmp_path / "b", {**BRANCH, "orgs/zb2.yaml": twice}) if d.field == "aliases.0"]
    assert sorted(d.file for d in both) == ["orgs/zb.yaml", "orgs/zb2.yaml"]
    moved = "name: 转炉生产线党支部\nkind: 党支部\nparent: dzz\naliases: [阳极炉党支部]\n"
    archive = check_at(write_archive(tmp_path / "c", {**BRANCH, "orgs/zb2.yaml": moved})).archive
    assert archive.find_org("阳极炉党支部").id == "zb2"


def test_new_and_search_take_short_names_and_explain_unknown_ones() -> None:
    assert "电解车间党支部" in check(DEMO).archive.records["orgs"]["dj-zb"].data.aliases
    result = zhibu("new", "meeting", "--content", DEMO, "--org", "阳极")
    assert result.returncode == 2 and "是不是“阳极炉生产线党支部”（yjl-zb）" in result.stderr


def test_a_mistyped_character_still_gets_the_org_suggested() -> None:
    result = zhibu("new", "meeting", "--content", DEMO, "--org", "阳级炉", "--type", "支委会")
    assert result.returncode == 2 and "是不是“阳极炉生产线党支部”（yjl-zb）" in result.stderr, result.stderr
    assert "zhibu search --type orgs" not in result.stderr
