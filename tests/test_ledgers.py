"""Ledgers computed from records: compliance, attendance, actions, assessments, exports, charts."""

from __future__ import annotations

import csv
import io
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from conftest import DEMO, write_archive, zhibu

from generator.editing.sheets import read_book
from generator.pipeline import check


def meeting(kind: str, org: str, day: str, attendees: list[str], absent: str = "", extra: str = "") -> str:
    people = "".join(f"  - {p}\n" for p in attendees)
    return (
        f"type: {kind}\ntitle: {org}{day}{kind}\norg: {org}\ndate: {day}\n"
        + ("lecturer: 张伟\n" if kind == "党课" else "")
        + f"attendees:\n{people}{absent}{extra}"
    )


ARCHIVE = "name: 测试档案\nowner: dzz\nsince: 2023-01\nrules:\n  党课: yearly\n"


def gaps(tmp_path: Path, files: dict[str, str], today: str) -> set[str]:
    result = zhibu("check", "--content", write_archive(tmp_path, {"archive.yaml": ARCHIVE, **files}), "--today", today)
    assert result.returncode == 0, result.stdout
    return {line.split("警告: ")[1] for line in result.stdout.splitlines() if "未召开" in line}


def test_compliance_reports_exactly_the_missing_periods(tmp_path: Path) -> None:
    files = {
        "meetings/z1.yaml": meeting("支委会", "zb", "2023-01-05", ["zhang"]),
        "meetings/z3.yaml": meeting("支委会", "zb", "2023-03-05", ["zhang"]),
        "meetings/d1.yaml": meeting("主题党日", "zb", "2023-01-20", ["zhang", "li"]),
        "meetings/d2.yaml": meeting("主题党日", "zb", "2023-02-20", ["zhang", "li"]),
        "meetings/d3.yaml": meeting("主题党日", "zb", "2023-03-20", ["zhang", "li"]),
        "meetings/x1.yaml": meeting("党小组会", "xz", "2023-01-10", ["zhang", "li"]),
        "meetings/x2.yaml": meeting("党小组会", "xz", "2023-02-10", ["zhang", "li"]),
        "meetings/x3.yaml": meeting("党小组会", "xz", "2023-03-10", ["zhang", "li"]),
        "meetings/k1.yaml": meeting("党课", "zb", "2023-03-01", ["zhang", "li"]),
    }
    assert gaps(tmp_path, files, "2023-04-15") == {
        "2023年2月未召开支委会（要求每月）",
        "2023年第1季度未召开党员大会（要求每季度）",
    }


def test_periods_outside_an_orgs_life_are_not_required(tmp_path: Path) -> None:
    files = {
        "orgs/xz.yaml": "name: 甲班党小组\nkind: 党小组\nparent: zb\nestablished: 2023-03-01\n",
        "meetings/x3.yaml": meeting("党小组会", "xz", "2023-03-10", ["zhang", "li"]),
    }
    found = gaps(tmp_path, files, "2023-04-15")
    assert not [g for g in found if "党小组会" in g]


def test_quorum_and_outsiders_are_warned(tmp_path: Path) -> None:
    files = {
        "orgs/zb.yaml": "name: 第一党支部\nkind: 党支部\nparent: dzz\nofficers:\n"
        "  - {person: zhang, role: 书记}\n  - {person: li, role: 组织委员}\n",
        "people/wang.yaml": "name: 王强\nstatus: 群众\n",
        "meetings/z1.yaml": meeting(
            "支委会", "zb", "2023-03-05", ["zhang", "wang"], absent="absent:\n  - {person: li, reason: 倒班}\n"
        ),
    }
    result = zhibu("check", "--content", write_archive(tmp_path, files), "--today", "2023-03-31")
    assert "meetings/z1.yaml:5: 警告: attendees: 到会支委 1 人，未超过支委会 2 人的半数" in result.stdout
    assert "meetings/z1.yaml:7: 警告: attendees.1: 王强（wang）当天不是应到人员" in result.stdout


def test_an_error_in_one_file_does_not_hide_the_warnings_of_others(tmp_path: Path) -> None:
    files = {
        "orgs/zb.yaml": "name: 第一党支部\nkind: 党支部\nparent: dzz\nofficers:\n"
        "  - {person: zhang, role: 书记}\n  - {person: li, role: 组织委员}\n",
        "people/wang.yaml": "name: 王强\nstatus: 群众\n",
        "meetings/z1.yaml": meeting("支委会", "zb", "2023-03-05", ["wang"]),
        "meetings/bad.yaml": meeting("党课", "zb", "2023-02-30", ["zhang"]),
    }
    result = zhibu("check", "--content", write_archive(tmp_path, files), "--today", "2023-03-31")
    assert "meetings/bad.yaml:" in result.stdout and result.returncode == 1
    assert "meetings/z1.yaml:5: 警告: attendees: 到会支委 0 人，未超过支委会 2 人的半数" in result.stdout
    assert "未召开" not in result.stdout  # the broken meeting may be the one such a warning misses


def test_attendance_follows_membership_changes(tmp_path: Path) -> None:
    files = {
        "people/wang.yaml": "name: 王强\nstatus: 正式党员\nmemberships:\n  - {org: xz, from: 2023-02-15}\n",
        "meetings/x1.yaml": meeting("党小组会", "xz", "2023-02-10", ["zhang", "li"]),
        "meetings/x2.yaml": meeting(
            "党小组会", "xz", "2023-02-20", ["zhang", "wang"], absent="absent:\n  - {person: li, reason: 病假}\n"
        ),
    }
    checked = check(write_archive(tmp_path, files), today=date(2023, 2, 28))
    views = checked.views
    assert views.attendance["x1"].expected == ["li", "zhang"]
    assert views.attendance["x2"].expected == ["li", "wang", "zhang"]
    wang, li = views.attendance_by_person["wang"][2023], views.attendance_by_person["li"][2023]
    assert (wang.expected, wang.present, li.expected, li.present) == (1, 1, 2, 1)
    group = views.attendance_by_org["xz"][2023]
    assert (group.meetings, group.expected, group.present) == (2, 5, 4)


def test_overdue_actions_use_the_build_date(tmp_path: Path) -> None:
    actions = (
        "actions:\n  - {task: 甲, owner: zhang, due: 2023-03-10, status: 进行中}\n"
        "  - {task: 乙, owner: li, due: 2023-03-10, status: 已完成, done: 2023-03-09}\n"
        "  - {task: 丙, owner: li, due: 2023-03-20}\n  - {task: 丁, due: 2023-03-01, status: 已取消}\n"
    )
    content = write_archive(
        tmp_path, {"meetings/z1.yaml": meeting("支委会", "zb", "2023-03-05", ["zhang"], extra=actions)}
    )
    for today, overdue in ((date(2023, 3, 15), ["甲"]), (date(2023, 3, 25), ["甲", "丙"])):
        views = check(content, today=today).views
        assert [a.action.task for a in views.actions if a.overdue] == overdue
    assert [a.action.task for a in check(content, today=date(2023, 3, 25)).views.open_actions["li"]] == ["丙"]


def test_assessment_totals_and_ranking(tmp_path: Path) -> None:
    def sheet(org: str, a: float, b: float) -> str:
        return (
            f"scheme: 双百\nperiod: 2023-03\nsubject: {{org: {org}}}\nitems:\n"
            f"  - {{name: 党建, category: 党建, max: 50, score: {a}}}\n"
            f"  - {{name: 生产, category: 生产, max: 50, score: {b}}}\n"
        )

    files = {
        "orgs/zb2.yaml": "name: 第二党支部\nkind: 党支部\nparent: dzz\n",
        "assessments/a1.yaml": sheet("zb", 45, 44.5),
        "assessments/a2.yaml": sheet("zb2", 48, 47),
    }
    content = write_archive(tmp_path, files)
    ranked = check(content, today=date(2023, 3, 31)).views.scores["双百"]["2023-03"]
    assert [(s.subject, s.total, s.maximum) for s in ranked] == [("第二党支部", 95, 100), ("第一党支部", 89.5, 100)]
    assert ranked[1].by_category == {"党建": 45, "生产": 44.5}
    assert zhibu("export", "--content", content, "--out", tmp_path / "out", "--today", "2023-03-31").returncode == 0
    sheet = openpyxl.load_workbook(tmp_path / "out" / "考核.xlsx").active
    assert [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)] == [
        ["方案", "期间", "对象", "党建", "生产", "合计", "满分", "名次"],
        ["双百", "2023-03", "第二党支部", 48, 47, 95, 100, 1],
        ["双百", "2023-03", "第一党支部", 45, 44.5, 89.5, 100, 2],
    ]


ITEMS = (
    "agenda:\n  - {title: 学习条例, kind: 学习}\n  - {title: 研究发展计划}\n"
    "decisions:\n  - {text: 同意发展计划, votes: {for: 1, against: 0, abstain: 0}}\n  - {text: 报上级审批}\n"
    "actions:\n  - {task: 报送材料, owner: li, due: 2023-03-20}\n"
    "  - {task: 谈心谈话, owner: zhang, due: 2023-03-25, status: 已完成, done: 2023-03-24, result: 已谈}\n"
)


def test_exports_read_back_match_the_records(tmp_path: Path) -> None:
    files = {
        "meetings/z1.yaml": meeting("支委会", "zb", "2023-03-05", ["张伟"], extra=ITEMS + "summary: 会议研究了计划。\n")
    }
    content = write_archive(tmp_path, files)
    for fmt in ("csv", "xlsx"):
        result = zhibu(
            "export", "--content", content, "--format", fmt, "--out", tmp_path / fmt, "--today", "2023-03-31"
        )
        assert result.returncode == 0, result.stdout + result.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "csv" / "会议.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][:5] == ["编号", "日期", "组织", "类型", "标题"]
    assert rows[1][:5] == ["z1", "2023-03-05", "第一党支部", "支委会", "zb2023-03-05支委会"]
    assert rows[1][9:13] == ["1", "1", "100.0%", "张伟"]
    assert rows[0][14:] == ["授课人", "题目", "覆盖期间", "议程", "会议内容", "决议", "会后落实"]  # 公开范围 empty
    assert rows[1][17:] == [
        "1. 学习条例（学习）\n2. 研究发展计划",
        "会议研究了计划。",
        "1. 同意发展计划（赞成 1，反对 0，弃权 0）\n2. 报上级审批",
        "1. 报送材料（责任人：李娜；期限：2023-03-20）\n"
        "2. 谈心谈话（责任人：张伟；期限：2023-03-25；状态：已完成；完成：2023-03-24）",
    ]
    book = openpyxl.load_workbook(tmp_path / "xlsx" / "会议.xlsx")
    sheet = book.active
    assert sheet["A1"].value == "测试档案　会议台账" and sheet["A1"].font.bold
    assert sheet["A2"].value == "期间：2023年3月5日 至 2023年3月31日　　统计截至：2023年3月31日"
    assert sheet.freeze_panes == "A4" and sheet["A3"].value == "编号" and sheet["A3"].font.bold
    assert sheet.auto_filter.ref == "A3:U4" and sheet.print_title_rows == "$1:$3"
    assert sheet["R4"].alignment.wrap_text and sheet["R4"].value.count("\n") == 1
    assert 30 < sheet.column_dimensions["U"].width <= 60  # the longest line, not the whole cell
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
    assert 1 < setup.fitToWidth <= 3  # 21 columns at a readable size: two or three pages across
    assert sheet.print_title_cols == "$B:$E"  # 日期, 组织, 类型, 标题 on each of the pages across
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet["B4"].value == datetime(2023, 3, 5) and sheet["B4"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["E"].width >= 10
    actions = openpyxl.load_workbook(tmp_path / "xlsx" / "会后落实.xlsx").active
    assert [c.value for c in actions[4]][:4] == ["报送材料", "李娜", datetime(2023, 3, 20), "未开始"]
    roster = list(csv.reader(io.StringIO((tmp_path / "csv" / "党员花名册.csv").read_text(encoding="utf-8-sig"))))
    assert roster[0] == ["编号", "姓名", "政治面貌", "入党时间", "岗位", "人才类别", "所在组织"]
    assert {r[1] for r in roster[1:]} == {"张伟", "李娜"}


def test_exported_text_never_runs_as_a_formula(tmp_path: Path) -> None:
    title = '=HYPERLINK("http://x","y")'
    files = {"meetings/z1.yaml": meeting("支委会", "zb", "2023-03-05", ["张伟"], extra=f"title: '{title}'\n")}
    files["meetings/z1.yaml"] = files["meetings/z1.yaml"].replace("title: zb2023-03-05支委会\n", "")
    content = write_archive(tmp_path, files)
    for fmt in ("csv", "xlsx"):
        args = ("export", "--content", content, "--format", fmt, "--out", tmp_path / fmt, "--today", "2023-03-31")
        assert zhibu(*args).returncode == 0
    cell = openpyxl.load_workbook(tmp_path / "xlsx" / "会议.xlsx").active["E4"]
    assert (cell.value, cell.data_type) == (title, "s")
    rows = list(csv.reader(io.StringIO((tmp_path / "csv" / "会议.csv").read_text(encoding="utf-8-sig"))))
    assert rows[1][4] == "'" + title
    assert read_book(tmp_path / "csv" / "会议.csv")[0].rows[1][4] == title


def test_compliance_export_agrees_with_the_ledger_and_counts_restricted_meetings(tmp_path: Path) -> None:
    hidden = "visibility: 受限\n"
    files = {
        "meetings/z1.yaml": meeting("支委会", "zb", "2023-01-05", ["zhang"], extra=hidden),
        "meetings/z2.yaml": meeting("支委会", "zb", "2023-02-05", ["zhang"]),
        "meetings/d1.yaml": meeting("主题党日", "zb", "2023-01-20", ["zhang", "li"], extra=hidden),
    }
    content = write_archive(tmp_path, {"archive.yaml": ARCHIVE, **files})
    for fmt in ("csv", "xlsx"):
        args = ("export", "--content", content, "--format", fmt, "--out", tmp_path / fmt, "--today", "2023-04-15")
        assert zhibu(*args).returncode == 0
    full = check(content, include_restricted=True, today=date(2023, 4, 15)).views.compliance
    expected = {(r.org.data.name, r.type, 2023): r.year(2023) for r in full}
    sheet = openpyxl.load_workbook(tmp_path / "xlsx" / "三会一课.xlsx").active
    header = [c.value for c in sheet[3]]
    assert header == ["组织", "会议类型", "频次要求", "年度", "应召开", "已召开", "完成率", "未召开期间", "会议编号"]
    rows = {(r[0], r[1], r[3]): r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert {k: (r[5], r[4]) for k, r in rows.items()} == expected
    assert rows[("第一党支部", "支委会", 2023)][7:] == ("3月", "受限、z2")
    rate = sheet.cell(row=4 + list(rows).index(("第一党支部", "支委会", 2023)), column=7)
    assert rate.value == 2 / 3 and rate.number_format == "0.0%"
    text = (tmp_path / "csv" / "三会一课.csv").read_text(encoding="utf-8-sig")
    assert "第一党支部,支委会,每月,2023,3,2,66.7%,3月,受限、z2" in text and "z1" not in text


def test_an_exported_ledger_imports_again_past_its_title_lines(tmp_path: Path) -> None:
    honour = "title: 先进基层党组织\ndate: 2023-06-28\nlevel: 公司级\nrecipients:\n  - {org: zb}\n"
    content = write_archive(tmp_path / "a", {"honours/h1.yaml": honour})
    assert zhibu("export", "--content", content, "--out", tmp_path / "out", "--today", "2023-12-31").returncode == 0
    empty = write_archive(tmp_path / "b")
    result = zhibu("import", "荣誉", tmp_path / "out" / "荣誉.xlsx", "--content", empty)
    assert result.returncode == 0 and "已导入 1 条记录" in result.stdout, result.stdout + result.stderr
    assert "先进基层党组织" in next((empty / "honours").rglob("*.yaml")).read_text(encoding="utf-8")


def test_the_demos_meeting_ledger_imports_again_whole(tmp_path: Path) -> None:
    """会议.xlsx carries 授课人, 题目, 覆盖期间, 议程, 会议内容, 决议 and 会后落实: its rows are whole records again."""
    out = tmp_path / "out"
    args = ("--include-restricted", "--out", out, "--today", "2026-11-30")
    assert zhibu("export", "--content", DEMO, *args).returncode == 0
    empty = tmp_path / "empty" / "content"
    shutil.copytree(DEMO, empty, ignore=shutil.ignore_patterns("meetings"))
    result = zhibu("import", "会议", out / "会议.xlsx", "--content", empty)
    assert result.returncode == 0 and "已导入 348 条记录" in result.stdout, result.stdout + result.stderr
    checked = zhibu("check", "--content", empty, "--today", "2026-11-30")
    assert checked.returncode == 0 and "0 个警告" in checked.stdout, checked.stdout
    leave = {"agenda": {"__all__": {"notes"}}, "actions": {"__all__": {"result"}}}
    leave |= dict.fromkeys(("preparation", "guests", "attachments", "tags"), True)

    def meetings(content: Path) -> dict[tuple[date, str], dict[str, Any]]:
        archive = check(content, include_restricted=True, today=date(2026, 11, 30)).archive
        lecturer = {m.id: archive.get("people", m.data.lecturer) for m in archive.records["meetings"].values()}
        return {
            (m.data.date, m.data.title): m.data.model_dump(exclude=leave)
            | {"lecturer": lecturer[m.id].id if lecturer[m.id] else m.data.lecturer}
            for m in archive.records["meetings"].values()
        }

    assert meetings(empty) == meetings(DEMO)
    copy = tmp_path / "copy" / "content"
    shutil.copytree(DEMO, copy)
    again = zhibu("import", "会议", out / "会议.xlsx", "--content", copy)  # notes and results stay: nothing differs
    assert "已导入 0 条记录，348 条已在档案中（内容相同，未重复导入）" in again.stdout, again.stdout + again.stderr


def test_period_limits_every_file_and_the_title_says_so(tmp_path: Path) -> None:
    annual = meeting("组织生活会", "zb", "2024-01-20", ["zhang"], extra="covers: 2023\n").replace(
        "title: zb2024-01-20组织生活会", "title: 第一党支部2023年度组织生活会"
    )
    files = {
        "archive.yaml": ARCHIVE,
        "meetings/z1.yaml": meeting(
            "支委会", "zb", "2023-03-05", ["zhang"], extra="actions:\n  - {task: 甲, owner: li}\n"
        ),
        "meetings/z2.yaml": meeting(
            "支委会", "zb", "2023-04-05", ["zhang"], extra="actions:\n  - {task: 乙, owner: li}\n"
        ),
        "meetings/s1.yaml": annual,
        "honours/h1.yaml": "title: 先进党支部\ndate: 2023-06\nlevel: 公司级\nrecipients:\n  - {org: zb}\n",
        "honours/h2.yaml": "title: 红旗党支部\ndate: 2023\nlevel: 公司级\nrecipients:\n  - {org: zb}\n",
        "people/new.yaml": "name: 王新\nstatus: 预备党员\njoined: 2023-09\n"
        "memberships:\n  - {org: xz, from: 2023-09-01}\n",
    }
    content = write_archive(tmp_path, files)

    def export(*limits: str) -> dict[str, list[list[str]]]:
        out = tmp_path / "-".join(limits)
        result = zhibu(
            "export", "--content", content, "--format", "csv", "--out", out, "--today", "2024-03-31", *limits
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return {p.stem: list(csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig")))) for p in out.glob("*.csv")}

    q1 = export("--period", "2023-Q1")
    assert [r[0] for r in q1["会议"][1:]] == ["z1"] and [r[0] for r in q1["会后落实"][1:]] == ["甲"]
    assert {r[4] for r in q1["出勤"][1:]} == {"张伟"} and len(q1["荣誉"]) == 1 and len(q1["党员花名册"]) == 3
    compliance = {(r[1], r[3]): r[4:7] for r in q1["三会一课"][1:]}
    assert compliance[("支委会", "2023")] == ["3", "1", "33.3%"] and ("组织生活会", "2023") not in compliance
    year = export("--period", "2023")
    assert [r[0] for r in year["会议"][1:]] == ["z1", "z2"]  # oldest first; s1 was held in 2024 ...
    compliance = {(r[1], r[3]): r[4:8] for r in year["三会一课"][1:]}
    assert compliance[("组织生活会", "2023")] == ["1", "1", "100.0%", ""]  # ... for 2023 (covers)
    assert {r[2] for r in year["荣誉"][1:]} == {"先进党支部", "红旗党支部"} and len(year["党员花名册"]) == 4
    ranged = export("--from", "2023年4月", "--to", "2024-01")
    assert [r[0] for r in ranged["会议"][1:]] == ["z2", "s1"] and [r[2] for r in ranged["荣誉"][1:]] == ["先进党支部"]
    book = tmp_path / "book"
    zhibu("export", "--content", content, "--out", book, "--today", "2024-03-31", "--period", "2023-Q1")
    titles = [openpyxl.load_workbook(p).active["A2"].value for p in book.glob("*.xlsx")]
    assert len(titles) == 9
    assert set(titles) == {"期间：2023年第1季度（2023年1月1日 至 2023年3月31日）　　统计截至：2024年3月31日"}
    for wrong, says in (
        (("--period", "2023-Q5"), "期间应为 2025、2025-H1、2025-Q1、2025-03，或 2025年、2025年上半年"),
        (("--period", "2023-13"), "月份应为 1–12"),
        (("--format", "doc"), "“doc”不是可选值之一：xlsx、csv、docx。是不是 docx？"),
        (("--from", "2024", "--to", "2023"), "起始 2024-01-01 晚于截止 2023-12-31"),
        (("--period", "2023", "--from", "2023-02"), "--period 与 --from/--to 只能用一种"),
    ):
        result = zhibu("export", "--content", content, "--out", tmp_path / "x", *wrong)
        assert result.returncode == 2 and says in result.stderr, result.stderr


def test_roster_holds_members_and_applicants_have_their_own_file(tmp_path: Path) -> None:
    files = {
        f"people/{pid}.yaml": f"name: {name}\nstatus: {status}\nmemberships:\n  - org: xz\n"
        for pid, name, status in (
            ("wang", "王强", "预备党员"),
            ("zhao", "赵敏", "入党积极分子"),
            ("qian", "钱军", "发展对象"),
        )
    }
    content = write_archive(tmp_path, files)
    assert zhibu("export", "--content", content, "--out", tmp_path / "out", "--today", "2023-12-31").returncode == 0

    def names(stem: str) -> dict[str, str]:
        sheet = openpyxl.load_workbook(tmp_path / "out" / f"{stem}.xlsx").active
        return {r[1]: r[2] for r in sheet.iter_rows(min_row=4, values_only=True)}

    assert names("党员花名册") == {"张伟": "正式党员", "李娜": "正式党员", "王强": "预备党员"}
    assert names("入党积极分子和发展对象") == {"赵敏": "入党积极分子", "钱军": "发展对象"}


def test_ledger_pages_and_downloads_are_in_the_site(demo_site: Path) -> None:
    for page in ("compliance", "attendance", "actions", "assessments", "honours", "achievements", "talent", "projects"):
        assert (demo_site / "ledgers" / page / "index.html").is_file(), page
    for name in (
        "三会一课",
        "会议",
        "出勤",
        "会后落实",
        "荣誉",
        "成果",
        "考核",
        "党员花名册",
        "入党积极分子和发展对象",
    ):
        assert (demo_site / "ledgers" / "files" / f"{name}.xlsx").is_file()
        assert (demo_site / "ledgers" / "files" / f"{name}.csv").is_file()
    html = (demo_site / "ledgers" / "compliance" / "index.html").read_text(encoding="utf-8")
    assert 'class="zhibu-cell held"' in html and "../../meetings/" in html


def test_charts_are_well_formed_svg(demo_site: Path) -> None:
    count = 0
    for page in ("compliance", "attendance", "assessments", "honours", "achievements"):
        html = (demo_site / "ledgers" / page / "index.html").read_text(encoding="utf-8")
        for svg in re.findall(r"<svg class=\"zhibu-chart\".*?</svg>", html, re.DOTALL):
            root = ET.fromstring(svg)
            assert root.tag.endswith("svg") and root.find("{http://www.w3.org/2000/svg}title") is not None
            count += 1
    assert count == 9  # meetings per month, attendance, 双百, honours by level, one per metric (5)


# ---------------------------------------------------------------- restricted records count


def _matrix_cells(site: Path) -> dict[tuple[str, str], tuple[str, int, int]]:
    """(org name, cell title) -> (status, ✓受限 marks, links) as the public compliance page shows them."""
    html = (site / "ledgers" / "compliance" / "index.html").read_text(encoding="utf-8")
    cells = {}
    for section in html.split("<h2")[1:]:
        org = re.sub(r"<[^>]+>", "", section.split(">", 1)[1].split("</h2>")[0]).strip(" ¶")
        for status, title, body in re.findall(
            r'<td colspan="\d+" class="zhibu-cell (\w+)" title="([^"]+)">(.*?)</td>', section
        ):
            cells[(org, title)] = (status, body.count("✓受限"), body.count("<a "))
    return cells


def assert_ledgers_agree(content: Path, site: Path, today: date | None = None) -> None:
    """The public matrix, the full archive's ledger and `zhibu check` agree on every cell."""
    full = check(content, include_restricted=True, today=today)
    shown = _matrix_cells(site)
    expected = {}
    for row in full.views.compliance:
        for cell in row.cells:
            restricted = sum(m.data.visibility == "受限" for m in cell.meetings)
            expected[(row.org.data.name, f"{cell.period.label}{row.type}")] = (
                cell.status,
                restricted,
                len(cell.meetings) - restricted,
            )
    assert shown == expected
    args = ["check", "--content", content] + (["--today", today.isoformat()] if today else [])
    warned = {line.split("警告: ")[1] for line in zhibu(*args).stdout.splitlines() if "未召开" in line}
    missing = {title for (_, title), (status, *_) in expected.items() if status == "missing"}
    assert {w.split("未召开")[0] + w.split("未召开")[1].split("（")[0] for w in warned} == missing


def test_restricted_meetings_fill_their_cells_without_a_link(tmp_path: Path) -> None:
    hidden = "visibility: 受限\n"
    files = {
        "meetings/z1.yaml": meeting("支委会", "zb", "2023-01-05", ["zhang"], extra=hidden),
        "meetings/z2.yaml": meeting("支委会", "zb", "2023-02-05", ["zhang"], extra=hidden),
        "meetings/d1.yaml": meeting("主题党日", "zb", "2023-01-20", ["zhang", "li"], extra=hidden),
        "meetings/d2.yaml": meeting("主题党日", "zb", "2023-02-20", ["zhang"], extra=hidden),
        "meetings/d3.yaml": meeting("主题党日", "zb", "2023-03-20", ["zhang", "li"]),
        "meetings/x1.yaml": meeting("党小组会", "xz", "2023-01-10", ["zhang", "li"], extra=hidden),
        "meetings/k1.yaml": meeting(
            "党课", "zb", "2023-03-01", ["zhang"], extra=hidden + "actions:\n  - {task: 秘密任务, owner: li}\n"
        ),
        "meetings/m1.yaml": meeting("党员大会", "zb", "2023-02-01", ["zhang", "li"], extra=hidden),
    }
    content = write_archive(tmp_path, {"archive.yaml": ARCHIVE, **files})
    site = tmp_path / "site"
    assert zhibu("build", "--content", content, "--site", site, "--today", "2023-04-15").returncode == 0
    assert_ledgers_agree(content, site, date(2023, 4, 15))
    cells = _matrix_cells(site)
    assert cells[("第一党支部", "2023年2月支委会")] == ("held", 1, 0)
    assert cells[("第一党支部", "2023年3月支委会")][0] == "missing"
    assert cells[("第一党支部", "2023年3月主题党日")] == ("held", 0, 1)
    html = (site / "ledgers" / "compliance" / "index.html").read_text(encoding="utf-8")
    assert "meetings/z1/" not in html and not (site / "meetings" / "z1").exists()
    # attendance and action totals count the restricted meetings, and reveal no text
    attendance = (site / "ledgers" / "attendance" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"2023</td>\s*<td[^>]*>7</td>\s*<td[^>]*>12</td>\s*<td[^>]*>10</td>", attendance)  # zb: 7 meetings
    actions = (site / "ledgers" / "actions" / "index.html").read_text(encoding="utf-8")
    assert "共 1 项" in actions and "受限会议的 1 项" in actions and "秘密任务" not in actions
    assert not [p for p in site.rglob("*") if p.is_file() and "秘密任务".encode() in p.read_bytes()]


def test_demo_ledgers_agree_with_the_check(demo_site: Path) -> None:
    assert_ledgers_agree(DEMO, demo_site)
    cells = _matrix_cells(demo_site)
    # held 2026-01-21 for 2025 (covers: 2025); the restricted dj-mzpy-2025 covers 2024, before the archive starts
    assert cells[("电解生产线党支部", "2025年民主评议党员")] == ("held", 0, 1)
    assert 'href="../../meetings/dj-mzpy-2026/"' in (demo_site / "ledgers/compliance/index.html").read_text("utf-8")


# ---------------------------------------------------------------- covers


def test_annual_meetings_count_in_the_year_they_cover(tmp_path: Path) -> None:
    files = {
        "meetings/s1.yaml": meeting("组织生活会", "zb", "2024-01-20", ["zhang"], extra="covers: 2023\n").replace(
            "title: zb2024-01-20组织生活会", "title: 第一党支部2023年度组织生活会"
        ),
        "meetings/s2.yaml": meeting("民主评议党员", "zb", "2024-01-21", ["zhang"]).replace(
            "title: zb2024-01-21民主评议党员", "title: 第一党支部2023年度民主评议党员"
        ),
        "meetings/q1.yaml": meeting("党员大会", "zb", "2023-04-03", ["zhang"], extra="covers: 2023-Q1\n"),
    }
    content = write_archive(tmp_path, {"archive.yaml": ARCHIVE, **files})
    result = zhibu("check", "--content", content, "--today", "2025-03-01")
    assert "2023年未召开组织生活会" not in result.stdout and "2024年未召开组织生活会" in result.stdout
    assert "2023年第1季度未召开党员大会" not in result.stdout and "2023年第2季度未召开党员大会" in result.stdout
    # the title names 2023 but nothing says the meeting covers 2023: it counts in 2024, and check says so
    assert "2023年未召开民主评议党员" in result.stdout
    assert (
        "meetings/s2.yaml:2: 警告: title: 标题写的是2023年，会议却计入2024年；请加 covers: 2023，或核对标题"
        in result.stdout
    )
    assert "s1.yaml:2: 警告" not in result.stdout


def test_covers_must_name_a_period(tmp_path: Path) -> None:
    content = write_archive(
        tmp_path, {"meetings/s1.yaml": meeting("组织生活会", "zb", "2024-01-20", ["zhang"], extra="covers: 2023年\n")}
    )
    result = zhibu("check", "--content", content)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "s1.yaml:7:" in line)
    assert "covers: 覆盖期间应为 YYYY、YYYY-H1、YYYY-Q1 或 YYYY-MM" in line


# ---------------------------------------------------------------- completeness


BARE = "type: 支委会\ntitle: 第一党支部2023年3月支委会\norg: zb\ndate: 2023-03-05\n"
DECIDED = "decisions:\n  - text: 同意李娜转正\nactions:\n  - task: 报送材料\n"


def _warnings(result: Any) -> list[str]:
    return [line for line in result.stdout.splitlines() if "记录不完整" in line or "疑似重复" in line]


def test_incomplete_records_are_warned_part_by_part(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/z1.yaml": BARE + DECIDED})
    result = zhibu("check", "--content", content, "--today", "2023-03-31")
    assert _warnings(result) == [
        "meetings/z1.yaml:1: 警告: 记录不完整：缺少时间（起止）、地点、主持人、记录人、实到人员、议程、会议总结",
        "meetings/z1.yaml:6: 警告: decisions.0.votes: 记录不完整：缺少决议的表决票数",
        "meetings/z1.yaml:8: 警告: actions.0.due: 记录不完整：缺少落实事项的期限",
        "meetings/z1.yaml:8: 警告: actions.0.owner: 记录不完整：缺少落实事项的责任人",
    ]
    assert result.returncode == 0
    strict = zhibu("check", "--content", content, "--today", "2023-03-31", "--strict")
    assert strict.returncode == 1


def test_a_part_written_but_left_empty_is_warned_at_its_line(tmp_path: Path) -> None:
    # `zhibu new` writes every key: an agenda left empty is found at its line, not at the top.
    content = write_archive(tmp_path, {"meetings/z1.yaml": BARE + "location: 会议室\nagenda: []\nsummary:\n"})
    result = zhibu("check", "--content", content, "--today", "2023-03-31")
    assert _warnings(result) == [
        "meetings/z1.yaml:1: 警告: 记录不完整：缺少时间（起止）、主持人、记录人、实到人员",
        "meetings/z1.yaml:6: 警告: agenda: 记录不完整：缺少议程",
        "meetings/z1.yaml:7: 警告: summary: 记录不完整：缺少会议总结",
    ]


def test_completeness_rules_are_set_in_archive_yaml(tmp_path: Path) -> None:
    rules = "completeness:\n  全部: [地点, time]\n  支委会: []\n  党课: [题目]\n"
    lesson = "type: 党课\ntitle: 党课\norg: zb\ndate: 2023-03-06\nlecturer: 张伟\nlocation: 会议室\n"
    content = write_archive(
        tmp_path,
        {"archive.yaml": ARCHIVE + rules, "meetings/z1.yaml": BARE + DECIDED, "meetings/k1.yaml": lesson},
    )
    result = zhibu("check", "--content", content, "--today", "2023-03-31")
    assert _warnings(result) == [
        "meetings/k1.yaml:1: 警告: 记录不完整：缺少时间（起止）、题目",
        "meetings/z1.yaml:1: 警告: 记录不完整：缺少地点、时间（起止）",
    ]
    bad = write_archive(tmp_path / "bad", {"archive.yaml": ARCHIVE + "completeness:\n  全部: [照片]\n"})
    assert "completeness.全部.0" in zhibu("check", "--content", bad).stdout


def test_suspected_duplicates_are_warned(tmp_path: Path) -> None:
    files = {
        "meetings/a.yaml": BARE,
        "meetings/b.yaml": BARE.replace("2023-03-05", "2023-04-05"),  # last month's record copied
        "meetings/c.yaml": BARE.replace("3月支委会", "3月第二次支委会"),  # same org, type and day
    }
    result = zhibu("check", "--content", write_archive(tmp_path, files), "--today", "2023-04-30")
    assert [w for w in _warnings(result) if "疑似重复" in w] == [
        "meetings/b.yaml:2: 警告: title: 疑似重复记录：与 meetings/a.yaml 标题相同",
        "meetings/c.yaml:2: 警告: title: 疑似重复记录：与 meetings/a.yaml 组织、类型和日期相同",
    ]


def test_completeness_ledger_per_org_counts_restricted_records(tmp_path: Path) -> None:
    secret = BARE.replace("3月支委会", "3月支委会（人事）") + "visibility: 受限\n"
    content = write_archive(tmp_path, {"meetings/z1.yaml": BARE, "meetings/z2.yaml": secret.replace("05", "06")})
    site = tmp_path / "site"
    assert zhibu("build", "--content", content, "--site", site, "--today", "2023-03-31").returncode == 0
    page = (site / "ledgers" / "completeness" / "zb" / "index.html").read_text(encoding="utf-8")
    assert "共 2 份会议记录，0 份完整，2 份缺少要素" in page
    assert "（受限会议）" in page and "人事" not in page
    summary = (site / "ledgers" / "completeness" / "index.html").read_text(encoding="utf-8")
    assert 'href="zb/"' in summary
    assert "ledgers/completeness/zb/" in (site / "orgs" / "zb" / "index.html").read_text(encoding="utf-8")


def test_demo_records_are_complete(demo_checked: Any) -> None:
    assert [d for d in demo_checked.diagnostics if "记录不完整" in d.message or "疑似重复" in d.message] == []
    assert len(demo_checked.views.completeness) == len(demo_checked.views.ledger_meetings) > 340


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))


def test_restricted_meetings_count_in_every_sheet_without_their_content(tmp_path: Path) -> None:
    """The sheets agree with the site's ledgers: a restricted meeting is a row of date, org, type and numbers."""
    secret = "visibility: 受限\nsummary: 绝密内容\nactions:\n  - {task: 绝密任务, owner: li, due: 2023-02-01}\n"
    absent = "absent:\n  - {person: li, reason: 绝密原因}\n"
    files = {
        "archive.yaml": ARCHIVE,
        "meetings/z2.yaml": meeting("支委会", "zb", "2023-02-05", ["zhang", "li"], extra=ITEMS),
        "meetings/z1.yaml": meeting("支委会", "zb", "2023-01-05", ["zhang"], absent, secret),
    }
    content = write_archive(tmp_path, files)
    out = tmp_path / "out"
    assert zhibu("export", "--content", content, "--out", out, "--today", "2023-04-15").returncode == 0
    full = check(content, include_restricted=True, today=date(2023, 4, 15)).views
    expected = sum(len(a.expected) for a in full.attendance.values())
    present = sum(len(a.present) for a in full.attendance.values())
    meetings = sheet_rows(out / "会议.xlsx")
    assert meetings[2] == ("注：含受限会议 1 次，只列日期、组织、类型和人数，计入合计，不列出内容。",) + (None,) * 20
    header, rows = meetings[3], meetings[4:]
    assert "公开范围" not in header and [r[0] for r in rows] == [None, "z2"]  # oldest first
    assert rows[0][:5] == (None, datetime(2023, 1, 5), "第一党支部", "支委会", "受限会议") and not any(rows[0][12:])
    assert (sum(r[9] for r in rows), sum(r[10] for r in rows)) == (expected, present) == (2, 2)
    attendance = sheet_rows(out / "出勤.xlsx")
    assert attendance[2][0].startswith("注：含受限会议 1 次")
    assert [r[4:6] for r in attendance[4:6]] == [("不列出", "出席"), ("不列出", "缺席")]
    assert sum(r[5] == "出席" for r in attendance[4:]) == present
    actions = sheet_rows(out / "会后落实.xlsx")
    assert actions[2][0].startswith("注：含受限会议 1 次")
    assert len(actions[4:]) == 3 and ("（受限会议事项）", None, None, "未开始") in [r[:4] for r in actions[4:]]
    for path in out.iterdir():  # nothing of the restricted meeting's content, in any file
        for row in sheet_rows(path):
            assert not {"绝密内容", "绝密任务", "绝密原因", "zb2023-01-05支委会"} & {str(v) for v in row}, path.name
    assert sheet_rows(out / "三会一课.xlsx")[2][0] == "组织"  # no restricted rows there: no note
    empty = write_archive(tmp_path / "empty")
    again = zhibu("import", "会议", out / "会议.xlsx", "--content", empty)  # the stand-in row is no record
    assert "跳过 1 行受限会议" in again.stdout and "已导入 1 条记录" in again.stdout, again.stdout + again.stderr


def test_export_periods_paths_and_formats_in_the_words_people_use(tmp_path: Path) -> None:
    content = write_archive(
        tmp_path, {"archive.yaml": ARCHIVE, "meetings/z1.yaml": meeting("支委会", "zb", "2023-03-05", ["zhang"])}
    )

    def export(*args: str | Path) -> Any:
        return zhibu("export", "--content", content, "--today", "2023-04-15", *args)

    for written, label in (
        ("2023年", "2023年"),
        ("2023年3月", "2023年3月"),
        ("2023年第一季度", "2023年第1季度"),
        ("2023年上半年", "2023年上半年"),
    ):
        result = export("--period", written, "--out", tmp_path / written)
        assert result.returncode == 0, result.stderr
        assert sheet_rows(tmp_path / written / "会议.xlsx")[1][0].startswith(f"期间：{label}（")
    compliance = sheet_rows(tmp_path / "2023年" / "三会一课.xlsx")
    pending = {r[1]: r[4:7] for r in compliance[3:]}["党课"]  # a yearly 党课 not yet due in April
    assert pending == (0, 0, "未到期")
    result = export("--period", "2022-06", "--out", tmp_path / "empty")
    assert result.returncode == 0 and "2022年6月没有记录（档案自 2023年1月1日 起），未写出台账。" in result.stdout
    assert not (tmp_path / "empty").exists() or not any((tmp_path / "empty").iterdir())
    result = export("--format", "docx", "--period", "2027", "--out", tmp_path / "empty")
    assert "2027年没有会议记录（档案自 2023年1月1日 起），未写出会议记录本。" in result.stdout
    (tmp_path / "afile").write_text("", encoding="utf-8")
    out = tmp_path / "afile" / "x"
    result = export("--out", out)
    assert result.returncode == 1 and result.stderr == f"错误：无法写入“{out}”：路径中有一段是文件，不是目录\n"
    result = export("--out", tmp_path / "三会一课台账.xlsx")
    assert result.returncode == 2 and "--out 是输出目录，文件名由台账决定" in result.stderr
    assert not (tmp_path / "三会一课台账.xlsx").exists()
