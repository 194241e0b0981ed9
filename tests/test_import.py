"""`zhibu import`: real 台账 come in safely, record by record."""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO, write_archive, zhibu

from generator.stages.load import load


def workbook(path: Path, *sheets: tuple[str, list[list[Any]]]) -> Path:
    """An .xlsx file with the given sheets of rows, as a person would type them."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def files_under(root: Path) -> set[str]:
    """The files under root, but for zhibu's own working folder (.zhibu: generated docs, check cache)."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".zhibu" not in p.parts}


MEETING_HEADER = ["编号", "日期", "组织", "类型", "标题", "实到人员", "缺席人员"]


# ---------------------------------------------------------------- safe writes


@pytest.mark.parametrize(
    "hostile", ["../../../x", "../../evil", "/tmp/zhibu-evil", "a/../../b", "Evil", "..", "x" * 81]
)
def test_hostile_id_is_refused_and_nothing_is_written(tmp_path: Path, hostile: str) -> None:
    content = write_archive(tmp_path / "a")
    before = files_under(tmp_path)
    source = workbook(
        tmp_path / "in.xlsx",
        ("会议", [MEETING_HEADER, [hostile, date(2023, 3, 8), "第一党支部", "支委会", "三月支委会", "张伟", ""]]),
    )
    for extra in ((), ("--skip-bad",)):
        result = zhibu("import", "meetings", source, "--content", content, *extra)
        assert f"编号“{hostile}”无效" in result.stdout, result.stdout + result.stderr
        assert files_under(tmp_path) == before | {"in.xlsx"}
    assert not Path("/tmp/zhibu-evil.yaml").exists()
    assert result.returncode == 0 and "已导入 0 条记录，跳过 1 行" in result.stdout


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlinked_collection_folder_pointing_outside_is_refused(tmp_path: Path) -> None:
    content = write_archive(tmp_path / "a")
    outside = tmp_path / "outside"
    outside.mkdir()
    (content / "meetings").symlink_to(outside, target_is_directory=True)
    source = workbook(
        tmp_path / "in.xlsx",
        ("会议", [MEETING_HEADER, ["m1", date(2023, 3, 8), "第一党支部", "支委会", "三月支委会", "张伟", ""]]),
    )
    result = zhibu("import", "meetings", source, "--content", content, "--skip-bad")
    assert "不在档案目录" in result.stdout
    assert list(outside.rglob("*")) == []


def test_row_that_would_fail_check_is_refused_with_the_reason(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    rows = [
        MEETING_HEADER,
        ["m1", date(2023, 3, 8), "第一党支部", "党课", "三月党课", "张伟", ""],  # 党课 without 授课人
        ["m2", date(2023, 3, 9), "第一党支部", "支委会", "三月支委会", "张伟", "张伟（出差）"],  # present and absent
        ["m3", date(2023, 3, 10), "第一党支部", "支委会", "三月第二次支委会", "张伟", ""],
        ["m4", date(1900, 1, 1), "第一党支部", "支委会", "一月支委会", "张伟", ""],  # a blank date cell's 1900
    ]
    source = workbook(tmp_path / "in.xlsx", ("会议", rows))
    result = zhibu("import", "meetings", source, "--content", content)
    assert result.returncode == 1
    assert "第 2 行" in result.stdout and "授课人" in result.stdout
    assert "第 3 行" in result.stdout
    assert "第 5 行" in result.stdout and "年份 1900 早于 1921 年" in result.stdout
    assert not (content / "meetings").exists()
    partial = zhibu("import", "meetings", source, "--content", content, "--skip-bad")
    assert partial.returncode == 0 and "已导入 1 条记录，跳过 3 行" in partial.stdout
    assert [r.id for r in load(content).records if r.collection == "meetings"] == ["m3"]
    assert zhibu("check", "--content", content, "--today", "2023-03-31").returncode == 0


# ---------------------------------------------------------------- real 台账


def records(content: Path, collection: str) -> dict[str, dict[str, Any]]:
    return {r.id: r.data for r in load(content).records if r.collection == collection}


def warnings_of(content: Path) -> list[str]:
    """Warnings about imported records, except completeness: old ledgers rarely name a recorder or an agenda."""
    result = zhibu("check", "--content", content, "--today", "2024-12-31")
    assert result.returncode == 0, result.stdout
    return [
        line
        for line in result.stdout.splitlines()
        if "警告" in line and line.startswith(("meetings/", "people/")) and "记录不完整" not in line
    ]


MEETING_LEDGER_HEADER = [
    "序号",
    "会议时间",
    "时间",
    "召开组织",
    "会议类型",
    "会议名称",
    "主持人",
    "授课人",
    "实到人员（签到）",
    "缺席人员及原因",
]


def meeting_ledger(path: Path) -> Path:
    """Laid out as a 三会一课 台账 is: a merged title, text dates, a merged 组织 column, footers."""
    from openpyxl import Workbook

    rows: list[list[Any]] = [
        ["精炼厂党总支2024年三会一课台账"],
        MEETING_LEDGER_HEADER,
        [1, "2024年6月3日", None, "第一党支部", "支部委员会", "6月支委会", "张伟", None, "张伟", None],
        [2, "2024.6.4", time(14, 30), None, "党课", "6月党课", "张伟", "厂党委书记", "张伟、李娜", None],
        [3, "2024/06/05", "9:00-11:00", None, "支部大会", "6月党员大会", "张伟", None, "张 伟", "李娜（倒班）"],
        [4, "20240609", None, None, "主题党日", "6月主题党日", None, None, "张伟 李娜", None],
        [5, "3月8日", None, None, "党员大会", "三月党员大会", None, None, "张伟", "李娜 倒班"],
        [],
        [
            6,
            datetime(2024, 7, 1, 15, 0),
            None,
            "甲班党小组",
            "党小组会",
            "七月党小组会",
            None,
            None,
            "张伟",
            "李娜：倒班",
        ],
        [7, 45505, None, "甲班党小组", "党小组会议", "八月党小组会", None, None, "张伟、李娜", None],
        ["合计", None, None, None, None, None, None, None, None, None],
        ["填表人：张伟", None, None, None, None, None, None, None, None, None],
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = "说明"
    sheet.append(["本台账按月填写。"])
    sheet = book.create_sheet("2024年")
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A1:J1")
    sheet.merge_cells("D3:D7")  # 第一党支部 for the first five meetings
    sheet.merge_cells("D9:D10")
    book.save(path)
    return path


def test_meeting_ledger_comes_in_record_by_record(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    source = meeting_ledger(tmp_path / "三会一课台账.xlsx")
    result = zhibu("import", "meetings", source, "--content", content)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "（工作表“2024年”）：表头在第 2 行，7 行数据" in result.stdout
    assert "标题“精炼厂党总支2024年三会一课台账”已跳过，没有年份的日期按 2024 年" in result.stdout
    assert "第 11 行是表尾（合计）" in result.stdout and "第 12 行是表尾（填表人：张伟）" in result.stdout
    assert "已导入 7 条记录" in result.stdout
    got = records(content, "meetings")
    assert got == {
        "zb-zwh-2024-06-03": {
            "date": "2024-06-03",
            "org": "zb",
            "type": "支委会",
            "title": "6月支委会",
            "host": "zhang",
            "attendees": ["zhang"],
        },
        "zb-dk-2024-06-04": {
            "date": "2024-06-04",
            "time": "14:30",
            "org": "zb",
            "type": "党课",
            "title": "6月党课",
            "host": "zhang",
            "lecturer": "厂党委书记",
            "attendees": ["zhang", "li"],
        },
        "zb-dydh-2024-06-05": {
            "date": "2024-06-05",
            "time": "09:00-11:00",
            "org": "zb",
            "type": "党员大会",
            "title": "6月党员大会",
            "host": "zhang",
            "attendees": ["zhang"],
            "absent": [{"person": "li", "reason": "倒班"}],
        },
        "zb-ztdr-2024-06-09": {
            "date": "2024-06-09",
            "org": "zb",
            "type": "主题党日",
            "title": "6月主题党日",
            "attendees": ["zhang", "li"],
        },
        "zb-dydh-2024-03-08": {
            "date": "2024-03-08",
            "org": "zb",
            "type": "党员大会",
            "title": "三月党员大会",
            "attendees": ["zhang"],
            "absent": [{"person": "li", "reason": "倒班"}],
        },
        "xz-xzh-2024-07-01": {
            "date": "2024-07-01",
            "time": "15:00",
            "org": "xz",
            "type": "党小组会",
            "title": "七月党小组会",
            "attendees": ["zhang"],
            "absent": [{"person": "li", "reason": "倒班"}],
        },
        "xz-xzh-2024-08-01": {
            "date": "2024-08-01",
            "org": "xz",
            "type": "党小组会",
            "title": "八月党小组会",
            "attendees": ["zhang", "li"],
        },
    }
    assert (content / "meetings" / "2024" / "zb-dk-2024-06-04.yaml").is_file()
    assert warnings_of(content) == []
    again = zhibu("import", "meetings", source, "--content", content)
    assert again.returncode == 0 and "已导入 0 条记录，7 条已在档案中（内容相同，未重复导入）" in again.stdout
    assert records(content, "meetings") == got


def test_agenda_decisions_and_actions_one_per_line_in_a_cell(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    header = ["日期", "组织", "类型", "标题", "实到人员", "会议议程", "决议", "会后落实"]
    rows = [
        header,
        [
            "2024年6月3日",
            "第一党支部",
            "支委会",
            "6月支委会",
            "张伟",
            "1、学习条例（学习）\n(2) 研究发展计划",
            "同意发展计划（赞成 1 票，反对 0 票，弃权 0 票）\n报上级（待定）",
            "1. 报送材料（责任人：李娜；期限：2024年6月20日）\n2. 谈心（责任人：张伟；状态：已完成；完成：2024.6.10）",
        ],
        ["2024-06-04", "第一党支部", "支委会", "6月第二次支委会", "张伟", "", "", "通知（责任人：赵六）"],
    ]
    source = workbook(tmp_path / "会议.xlsx", ("会议", rows))
    refused = zhibu("import", "meetings", source, "--content", content)
    assert refused.returncode == 1 and "第 3 行：“会后落实”：找不到人员“赵六”" in refused.stdout, refused.stdout
    result = zhibu("import", "meetings", source, "--content", content, "--skip-bad")
    assert result.returncode == 0 and "已导入 1 条记录" in result.stdout, result.stdout + result.stderr
    (got,) = records(content, "meetings").values()
    assert got["agenda"] == [{"title": "学习条例", "kind": "学习"}, {"title": "研究发展计划"}]
    assert got["decisions"] == [
        {"text": "同意发展计划", "votes": {"for": "1", "against": "0", "abstain": "0"}},  # as the file reads
        {"text": "报上级（待定）"},  # a bracket that is not a vote stays text
    ]
    assert got["actions"] == [
        {"task": "报送材料", "owner": "li", "due": "2024-06-20"},
        {"task": "谈心", "owner": "zhang", "status": "已完成", "done": "2024-06-10"},
    ]


def test_every_problem_of_a_row_in_one_message_with_the_column_names(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    rows = [
        MEETING_LEDGER_HEADER,
        [1, "2024年13月3日", "25:00", "第九党支部", "支委会", "支委会", "王五", None, "张伟、赵六", "李娜（倒班）"],
        [2, "3月8日", None, "第一党支部", "茶话会", "茶话", None, None, "张伟", None],
    ]
    source = workbook(tmp_path / "bad.xlsx", ("台账", rows))
    result = zhibu("import", "meetings", source, "--content", content)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("bad.xlsx: ")]
    assert lines[0] == (
        "bad.xlsx: 第 2 行：“会议时间”：“2024年13月3日”不是有效日期；“时间”：“25:00”不是有效时间；"
        "“召开组织”：找不到组织“第九党支部”；“主持人”：找不到人员“王五”；“实到人员（签到）”：找不到人员“赵六”"
    )
    assert lines[1].startswith("bad.xlsx: 第 3 行：“会议时间”：“3月8日”没有年份")
    assert "“会议类型”：“茶话会”不是有效取值" in lines[1]
    assert "未写入任何记录" in result.stdout and not (content / "meetings").exists()


def test_unknown_columns_are_named_and_map_takes_them(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    rows = [
        ["日期", "组织", "会议类型", "会议名称", "参会", "联系电话", "备注"],
        ["2024-06-03", "第一党支部", "支委会", "6月支委会", "张伟", "13800000000", "按时召开"],
    ]
    source = workbook(tmp_path / "in.xlsx", ("台账", rows))
    result = zhibu("import", "meetings", source, "--content", content)
    assert result.returncode == 1
    assert "不认识的列：“参会”、“联系电话”、“备注”" in result.stdout and "联系电话 属于个人信息" in result.stdout
    mapped = zhibu(
        "import",
        "meetings",
        source,
        "--content",
        content,
        "--map",
        "参会=实到人员",
        "--map",
        "联系电话=-",
        "--map",
        "备注=会议总结",
    )
    assert mapped.returncode == 0, mapped.stdout
    assert records(content, "meetings")["zb-zwh-2024-06-03"]["summary"] == "按时召开"
    wrong = zhibu("import", "meetings", source, "--content", content, "--map", "参会=签名")
    assert wrong.returncode == 2 and "不认识字段“签名”" in wrong.stderr


def test_rows_matching_existing_meetings_are_not_duplicated_and_same_day_meetings_get_their_own_ids(
    tmp_path: Path,
) -> None:
    content = write_archive(tmp_path)
    rows = [["日期", "组织", "类型", "标题", "实到人员"]] + [
        ["2024-06-03", "第一党支部", "支委会", f"支委会第{n}次", "张伟"] for n in range(1, 5)
    ]
    source = workbook(tmp_path / "in.xlsx", ("台账", rows))
    assert zhibu("import", "meetings", source, "--content", content).returncode == 0
    ids = sorted(records(content, "meetings"))
    assert ids == ["zb-zwh-2024-06-03", "zb-zwh-2024-06-03-2", "zb-zwh-2024-06-03-3", "zb-zwh-2024-06-03-4"]
    before = {p: p.read_bytes() for p in content.rglob("*.yaml")}
    again = zhibu("import", "meetings", source, "--content", content)
    assert "4 条已在档案中" in again.stdout
    assert {p: p.read_bytes() for p in content.rglob("*.yaml")} == before
    twice = workbook(tmp_path / "twice.xlsx", ("台账", [*rows, rows[1]]))
    dup = zhibu("import", "meetings", twice, "--content", content)
    assert dup.returncode == 1 and "第 6 行：与第 2 行是同一条记录" in dup.stdout


def test_update_shows_the_diff_and_keeps_what_the_sheet_does_not_carry(tmp_path: Path) -> None:
    content = write_archive(
        tmp_path,
        {
            "meetings/2024/m1.yaml": (
                "type: 支委会\ntitle: 6月支委会\norg: zb\ndate: 2024-06-03\nattendees: [张伟]\n"
                "summary: 会议总结在这里。\n"
            )
        },
    )
    rows = [
        ["编号", "日期", "组织", "类型", "标题", "地点", "实到人员"],
        ["m1", "2024-06-03", "第一党支部", "支委会", "6月支委会", "二楼会议室", "张伟"],
    ]
    source = workbook(tmp_path / "in.xlsx", ("台账", rows))
    plain = zhibu("import", "meetings", source, "--content", content)
    assert plain.returncode == 0 and "表中“地点”与之不同（加 --update 更新）" in plain.stdout
    assert "location" not in records(content, "meetings")["m1"]
    asked = zhibu("import", "meetings", source, "--content", content, "--update")
    assert "+location: 二楼会议室" in asked.stdout and "未更新已有记录" in asked.stdout
    assert "location" not in records(content, "meetings")["m1"]
    done = zhibu("import", "meetings", source, "--content", content, "--update", "--yes")
    assert done.returncode == 0 and "更新 1 条" in done.stdout
    data = records(content, "meetings")["m1"]
    assert data["location"] == "二楼会议室" and data["summary"] == "会议总结在这里。"
    assert "1 条已在档案中（内容相同" in zhibu("import", "meetings", source, "--content", content, "--update").stdout


# ---------------------------------------------------------------- rosters, files as they come


ROSTER = [
    ["第一党支部党员花名册"],
    ["序号", "姓名", "性别", "政治面貌", "入党时间", "岗位（职务）", "所在党小组"],
    ["1", "王 强", "男", "中共党员", "2008.07", "阳极炉炉长", "甲班党小组"],
    ["2", "赵敏", "女", "中共预备党员", "2015年6月", "化验员", "甲班党小组"],
    ["3", "张伟", "男", "中共正式党员", "", "", "甲班党小组"],
]
ROSTER_EXPECTED = {
    "person": {
        "name": "王强",
        "status": "正式党员",
        "joined": "2008-07",
        "post": "阳极炉炉长",
        "memberships": [{"org": "xz", "from": "2024-12-31"}],
    },
    "person-2": {
        "name": "赵敏",
        "status": "预备党员",
        "joined": "2015-06",
        "post": "化验员",
        "memberships": [{"org": "xz", "from": "2024-12-31"}],
    },
}


def _roster_import(content: Path, source: Path) -> None:
    before = warnings_of(content)
    result = zhibu("import", "people", source, "--content", content, "--map", "性别=-", "--today", "2024-12-31")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "已导入 2 条记录，1 条已在档案中" in result.stdout
    assert "2 人没有编入日期，按今天编入" in result.stdout
    got = records(content, "people")
    assert {k: got[k] for k in ROSTER_EXPECTED} == ROSTER_EXPECTED
    assert warnings_of(content) == before  # not 应到 at every past meeting


def test_roster_with_title_row_and_aliases(tmp_path: Path) -> None:
    content = write_archive(
        tmp_path,
        {"meetings/m.yaml": "type: 党员大会\ntitle: 大会\norg: zb\ndate: 2023-03-08\nattendees: [张伟, 李娜]\n"},
    )
    _roster_import(content, workbook(tmp_path / "花名册.xlsx", ("花名册", ROSTER)))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_in_every_common_encoding(tmp_path: Path, encoding: str) -> None:
    content = write_archive(tmp_path)
    text = "\r\n".join(",".join(cell for cell in row) for row in ROSTER) + "\r\n"
    source = tmp_path / "花名册.csv"
    source.write_bytes(text.encode(encoding))
    _roster_import(content, source)


def test_xls_with_merged_cells_and_date_cells(tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    day, clock = xlwt.easyxf(num_format_str="YYYY-MM-DD"), xlwt.easyxf(num_format_str="HH:MM")
    sheet.write_merge(0, 0, 0, 5, "第一党支部2024年会议记录")
    for c, h in enumerate(["日期", "时间", "组织", "类型", "标题", "实到人员"]):
        sheet.write(1, c, h)
    sheet.write(2, 0, datetime(2024, 6, 3), day)
    sheet.write(2, 1, time(14, 30), clock)
    sheet.write(3, 0, "6月20日")
    sheet.write_merge(2, 3, 2, 2, "第一党支部")
    for r, title in ((2, "6月支委会"), (3, "6月第二次支委会")):
        sheet.write(r, 3, "支委会")
        sheet.write(r, 4, title)
        sheet.write(r, 5, "张伟")
    source = tmp_path / "旧台账.xls"
    book.save(str(source))
    content = write_archive(tmp_path)
    result = zhibu("import", "meetings", source, "--content", content)
    assert result.returncode == 0, result.stdout + result.stderr
    got = records(content, "meetings")
    assert got["zb-zwh-2024-06-03"] == {
        "date": "2024-06-03",
        "time": "14:30",
        "org": "zb",
        "type": "支委会",
        "title": "6月支委会",
        "attendees": ["zhang"],
    }
    assert got["zb-zwh-2024-06-20"]["org"] == "zb"


def test_two_ledger_sheets_need_sheet_and_files_that_are_not_sheets_get_a_chinese_message(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    rows = [["日期", "组织", "类型", "标题", "实到人员"], ["2024-06-03", "第一党支部", "支委会", "6月支委会", "张伟"]]
    other = [rows[0], ["2023-06-03", "第一党支部", "支委会", "去年6月支委会", "张伟"]]
    source = workbook(tmp_path / "两年.xlsx", ("2024年", rows), ("2023年", other))
    unsure = zhibu("import", "meetings", source, "--content", content)
    assert unsure.returncode == 2 and "有多个工作表像是台账：“2024年”、“2023年”" in unsure.stderr
    assert "1. 2024年（2 行）；2. 2023年（2 行）" in unsure.stderr
    picked = zhibu("import", "meetings", source, "--content", content, "--sheet", "2")
    assert picked.returncode == 0 and list(records(content, "meetings")) == ["zb-zwh-2023-06-03"]
    for name, body in (("台账.xlsx", b"not a zip"), ("台账.et", b"x"), ("台账.csv", b"\xff\x00\x81" * 10)):
        bad = tmp_path / name
        bad.write_bytes(body)
        result = zhibu("import", "meetings", bad, "--content", content)
        assert result.returncode == 2 and "另存为" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and "Error" not in result.stderr


# ---------------------------------------------------------------- full-fidelity round trip


def validated(content: Path) -> dict[tuple[str, str], Any]:
    from generator.stages.validate import validate

    found, problems = validate(load(content).records)
    assert found.archive is not None, problems
    every = {(c, i): r.data for c, pool in found.records.items() for i, r in pool.items()}
    return every | {("archive", "archive"): found.archive.data}


def test_full_export_then_import_into_an_empty_archive_gives_back_every_record(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = zhibu("export", "--content", DEMO, "--full", "--include-restricted", "--out", out, "--today", "2026-11-30")
    assert result.returncode == 0, result.stdout + result.stderr
    book = out / "全量档案.xlsx"
    empty = tmp_path / "new" / "content"
    shutil.copytree(DEMO / "files", empty / "files")  # attachments travel as files, not in the workbook
    imported = zhibu("import", "archive", book, "--content", empty)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    before, after = validated(DEMO), validated(empty)
    assert sorted(after) == sorted(before)
    for key, data in before.items():
        assert after[key] == data, key
    assert zhibu("check", "--content", empty, "--today", "2026-11-30").returncode == 0
    files = {p: p.read_bytes() for p in empty.rglob("*.yaml")}
    again = zhibu("import", "archive", book, "--content", empty)
    assert again.returncode == 0 and f"已导入 0 条记录，{len(before)} 条已在档案中（内容相同）" in again.stdout
    assert {p: p.read_bytes() for p in empty.rglob("*.yaml")} == files


def test_full_export_leaves_restricted_records_out_and_says_so(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    result = zhibu("export", "--content", DEMO, "--full", "--out", tmp_path, "--today", "2026-11-30")
    restricted = [r.id for r in load(DEMO).records if isinstance(r.data, dict) and r.data.get("visibility") == "受限"]
    assert restricted and f"未包含 {len(restricted)} 条受限记录" in result.stdout
    book = load_workbook(tmp_path / "全量档案.xlsx")
    notes = [row[0] for row in book["说明"].iter_rows(values_only=True)]
    assert f"未包含 {len(restricted)} 条受限记录（导出时加 --include-restricted 才包含）" in notes
    ids = {row[0] for ws in book.worksheets[2:] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert not set(restricted) & ids


def test_full_workbook_lays_out_every_field_once_and_keeps_formulas_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from generator.editing.fullbook import LAYOUTS, Layout
    from generator.model import ARCHIVE, COLLECTIONS

    def covered(lay: Layout) -> set[str]:
        keys = {c.path[0] for c in lay.columns if c.path}
        return keys | {key for key, _ in lay.children}

    for name, lay in LAYOUTS.items():
        model = ARCHIVE.model if name == "archive" else COLLECTIONS[name].model
        assert covered(lay) == {i.alias or n for n, i in model.model_fields.items()}, name
        for one in (lay, *(child for _, child in lay.children)):
            headers = [c.header for c in one.columns]
            assert len(headers) == len(set(headers)), one.sheet
    content = write_archive(
        tmp_path, {"meetings/m.yaml": 'type: 其他\ntitle: "=HYPERLINK(\\"http://x\\")"\norg: zb\ndate: 2023-03-08\n'}
    )
    assert zhibu("export", "--content", content, "--full", "--out", tmp_path / "out").returncode == 0
    sheet = load_workbook(tmp_path / "out" / "全量档案.xlsx")["会议"]
    cell = next(c for c in sheet[2] if "HYPERLINK" in str(c.value))
    assert cell.data_type == "s"


def test_readme_backup_commands_run_as_written(tmp_path: Path) -> None:
    import re
    import subprocess
    import sys

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**整个档案搬到别处") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    shutil.copytree(DEMO, tmp_path / "content")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for line in block.group(1).strip().splitlines():
        done = subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, line + done.stdout + done.stderr
    assert validated(tmp_path / "新档案" / "content") == validated(tmp_path / "content")


def test_command_line_mistakes_are_explained_in_chinese(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    rows = [["日期", "组织", "类型", "标题", "实到人员"], ["2024-06-03", "第一党支部", "支委会", "6月支委会", "张伟"]]
    source = workbook(tmp_path / "台账.xlsx", ("台账", rows))
    wrong_kind = zhibu("import", "meeting", source, "--content", content)
    assert wrong_kind.returncode == 2 and "不认识的类别“meeting”" in wrong_kind.stderr
    missing = zhibu("import", "meetings", tmp_path / "没有.xlsx", "--content", content)
    assert missing.returncode == 2 and "不存在" in missing.stderr
    assert zhibu("import", "会议", source, "--content", content).returncode == 0
    assert list(records(content, "meetings")) == ["zb-zwh-2024-06-03"]


def test_a_second_person_of_the_same_name_is_refused_when_it_would_break_existing_records(tmp_path: Path) -> None:
    meeting = "type: 党员大会\ntitle: 大会\norg: zb\ndate: 2023-03-08\nattendees: [张伟, 李娜]\n"
    content = write_archive(tmp_path, {"meetings/m.yaml": meeting})
    rows = [["编号", "姓名", "政治面貌", "所在支部"], ["zhang2", "张伟", "中共党员", "第一党支部"]]
    source = workbook(tmp_path / "花名册.xlsx", ("花名册", rows))
    result = zhibu("import", "people", source, "--content", content)
    assert result.returncode == 1
    assert "第 2 行：会使已有记录 meetings/m.yaml 出错：有 2 人同名“张伟”" in result.stdout
    assert sorted(records(content, "people")) == ["li", "zhang"]


def test_roster_update_changes_only_the_cells_it_carries(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    rows = [["姓名", "政治面貌", "岗位（职务）", "所在党小组"], ["张伟", "中共党员", "炉长", "甲班党小组"]]
    source = workbook(tmp_path / "花名册.xlsx", ("花名册", rows))
    result = zhibu("import", "people", source, "--content", content, "--update", "--yes")
    assert result.returncode == 0 and "+post: 炉长" in result.stdout and "更新 1 条" in result.stdout
    text = (content / "people" / "zhang.yaml").read_text(encoding="utf-8")
    assert text == "name: 张伟\nstatus: 正式党员\npost: 炉长\nmemberships:\n  - org: xz\n    from: 2020-01-01\n"
