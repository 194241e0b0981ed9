"""`zhibu export --format docx`: the Word 会议记录本, read back page by page with python-docx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
from conftest import write_archive, zhibu
from docx.oxml.ns import qn

SECRET = "绝密议题"
MEETINGS = {
    "meetings/z1.yaml": """type: 支委会
title: 第一党支部2023年第1次支委会
org: zb
date: 2023-03-05
time: 16:30-17:30
location: 三楼会议室
host: zhang
recorder: li
attendees: [zhang]
guests: [车间主任]
agenda:
  - {title: 学习条例, kind: 学习}
  - {title: 研究发展计划, kind: 讨论, notes: 支委逐一发言。}
summary: 会议研究了发展计划。
decisions:
  - {text: 同意发展计划, votes: {for: 1, against: 0, abstain: 0}}
actions:
  - {task: 报送材料, owner: li, due: 2023-03-20, status: 进行中}
""",
    "meetings/k1.yaml": """type: 党课
title: 第一党支部2023年第一季度党课
org: zb
date: 2023-03-12
lecturer: 厂党委书记
topic: 学习二十大精神
attendees: [zhang]
absent:
  - {person: li, reason: 倒班}
""",
    "meetings/r1.yaml": f"type: 支委会\ntitle: {SECRET}\norg: zb\ndate: 2023-04-05\nvisibility: 受限\n",
    "meetings/z2.yaml": "type: 支委会\ntitle: 第一党支部2024年第1次支委会\norg: zb\ndate: 2024-01-05\n",
    "meetings/x1.yaml": "type: 党小组会\ntitle: 甲班2023年3月党小组会\norg: xz\ndate: 2023-03-10\n",
}


def export(tmp_path: Path, *args: str, into: str = "out") -> Path:
    content = tmp_path / "content"
    if not content.exists():
        write_archive(tmp_path, MEETINGS)
    out = tmp_path / into
    result = zhibu("export", "--content", content, "--format", "docx", "--out", out, "--today", "2024-03-31", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def pages(path: Path) -> list[list[Any]]:
    """The body split where a paragraph starts a new page: each page a list of paragraphs (str) and tables
    (lists of rows of cell texts, merged cells once)."""
    found: list[list[Any]] = [[]]
    for element in docx.Document(str(path)).element.body.iterchildren():
        if element.tag == qn("w:p"):
            if element.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None:
                found.append([])
            if text(element):
                found[-1].append(text(element))
        elif element.tag == qn("w:tbl"):
            found[-1].append([[text(c) for c in row.iter(qn("w:tc"))] for row in element.iter(qn("w:tr"))])
    return found


def test_one_book_per_org_and_year_with_cover_contents_and_a_page_per_meeting(tmp_path: Path) -> None:
    out = export(tmp_path)
    assert {p.name for p in out.iterdir()} == {
        "会议记录本-第一党支部-2023.docx",
        "会议记录本-第一党支部-2024.docx",
        "会议记录本-甲班党小组-2023.docx",
    }
    cover, contents, meeting, lesson, restricted = pages(out / "会议记录本-第一党支部-2023.docx")
    assert cover == [
        "测试档案",
        "第一党支部",
        "会议记录本",
        "2023年度",
        "起止日期：2023年3月5日 至 2023年4月5日",
        "会议次数：3 次（其中受限会议 1 次，不收入内容）",
        "记 录 人：＿＿＿＿＿＿＿＿＿＿＿＿",
        "保 管 人：＿＿＿＿＿＿＿＿＿＿＿＿",
    ]
    assert contents == [
        "目　　录",
        "第一党支部　2023年度共召开会议 3 次（其中受限会议 1 次，不收入内容）。",
        [
            ["序号", "日期", "会议类型", "会议名称"],
            ["1", "2023年3月5日", "支委会", "第一党支部2023年第1次支委会"],
            ["2", "2023年3月12日", "党课", "第一党支部2023年第一季度党课"],
            ["3", "2023年4月", "支委会", "受限记录"],  # counted in its place, as on the web compilation
        ],
    ]
    assert restricted == ["2023年4月支委会（受限）", "受限记录，内容不收入本记录本。"]
    signatures = "主持人签字：＿＿＿＿＿＿＿＿　　　　记录人签字：＿＿＿＿＿＿＿＿"
    assert meeting == [
        "第一党支部2023年第1次支委会",
        [
            ["会议类型", "支委会", "会议时间", "2023年3月5日 16:30-17:30"],
            ["会议地点", "三楼会议室", "主持人", "张伟"],
            ["记录人", "李娜", "应到 / 实到", "1 人 / 1 人"],
            ["实到人员", "张伟"],
            ["缺席及原因", "无"],
            ["列席", "车间主任"],
        ],
        "议程",
        "1. 学习条例（学习）",
        "2. 研究发展计划（讨论）",
        "支委逐一发言。",
        "会议总结",
        "会议研究了发展计划。",
        "决议",
        "1. 同意发展计划（赞成 1，反对 0，弃权 0）",
        "会后落实",
        [["序号", "任务", "责任人", "期限", "状态"], ["1", "报送材料", "李娜", "2023年3月20日", "进行中"]],
        signatures,
    ]
    assert lesson[1][2:5] == [
        ["授课人", "厂党委书记", "题目", "学习二十大精神"],
        ["记录人", "", "应到 / 实到", "2 人 / 1 人"],
        ["实到人员", "张伟"],
    ]
    assert lesson[1][5] == ["缺席及原因", "李娜（倒班）"]
    assert lesson[2:] == ["议程", "无", "会议总结", "无", "决议", "无", "会后落实", "无", signatures]
    assert not [p for p in out.iterdir() if SECRET.encode() in p.read_bytes() or b"--include" in p.read_bytes()]


def test_contents_link_to_the_meeting_pages_and_fonts_suit_word_and_wps(tmp_path: Path) -> None:
    document = docx.Document(str(export(tmp_path) / "会议记录本-第一党支部-2023.docx"))
    body = document.element.body
    anchors = [link.get(qn("w:anchor")) for link in body.iter(qn("w:hyperlink"))]
    marks = {mark.get(qn("w:name")): mark.getparent() for mark in body.iter(qn("w:bookmarkStart"))}
    assert anchors == ["meeting1", "meeting2", "meeting3"] and [text(marks[a]) for a in anchors] == [
        "第一党支部2023年第1次支委会",
        "第一党支部2023年第一季度党课",
        "2023年4月支委会（受限）",
    ]
    for name, east_asian in (("Normal", "仿宋"), ("Title", "黑体"), ("Heading 1", "黑体"), ("Heading 2", "黑体")):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == east_asian, name
        assert not [a for a in fonts.attrib if a.lower().endswith("theme")], name  # theme fonts would win
    section = document.sections[0]
    size = [round(length.mm) for length in (section.page_width, section.page_height)]
    assert size == [210, 297] and (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert [f.get(qn("w:instr")) for f in section.footer._element.iter(qn("w:fldSimple"))] == ["PAGE"]


def test_restricted_meetings_come_in_only_when_asked_and_period_limits_the_books(tmp_path: Path) -> None:
    out = export(tmp_path, "--include-restricted", into="all")
    book = pages(out / "会议记录本-第一党支部-2023.docx")
    assert [row[3] for row in book[1][2][1:]] == ["第一党支部2023年第1次支委会", "第一党支部2023年第一季度党课", SECRET]
    assert len(book) == 5 and "受限" not in str(book[:2])
    first = export(tmp_path, "--period", "2023-Q1", into="q1")
    names = {"会议记录本-第一党支部-2023年第1季度.docx", "会议记录本-甲班党小组-2023年第1季度.docx"}
    assert {p.name for p in first.iterdir()} == names
    assert "受限" not in str(pages(first / "会议记录本-第一党支部-2023年第1季度.docx")[:2])  # r1 is in April
    again = export(tmp_path, "--period", "2023-Q1", into="again")  # the same records and day: the same bytes
    assert {p.name: p.read_bytes() for p in again.iterdir()} == {p.name: p.read_bytes() for p in first.iterdir()}


def test_readme_word_commands_run_as_written(tmp_path: Path) -> None:
    import shlex

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("**Word 会议记录本**") :].split("```bash\n")[1].split("```")[0]
    write_archive(tmp_path, MEETINGS)
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        assert words[:3] == ["zhibu", "export", "--format"], line
        result = zhibu(*words[1:], "--today", "2024-03-31", cwd=tmp_path)
        assert result.returncode == 0, line + result.stdout + result.stderr
    assert (tmp_path / "记录本" / "会议记录本-第一党支部-2023.docx").is_file()


def test_a_part_of_a_year_is_named_by_its_period_and_never_overwrites_the_year(tmp_path: Path) -> None:
    year = export(tmp_path, "--period", "2023", into="same")
    quarter = export(tmp_path, "--period", "2023年第一季度", into="same")
    assert quarter == year and {p.name for p in year.iterdir()} >= {
        "会议记录本-第一党支部-2023.docx",
        "会议记录本-第一党支部-2023年第1季度.docx",
    }
    assert pages(year / "会议记录本-第一党支部-2023年第1季度.docx")[0][3:5] == [
        "2023年第1季度",
        "起止日期：2023年3月5日 至 2023年3月12日",
    ]
    day = export(tmp_path, "--from", "2023-04-05", "--to", "2023-04-05", into="day")
    cover = pages(day / "会议记录本-第一党支部-2023年4月5日.docx")[0]
    assert cover[3:6] == ["2023年4月5日", "起止日期：2023年4月5日", "会议次数：1 次（其中受限会议 1 次，不收入内容）"]


def test_org_limits_every_file_to_that_org_and_those_under_it(tmp_path: Path) -> None:
    books = export(tmp_path, "--org", "甲班", into="crew")  # a short name, as `zhibu search --org` takes it
    assert {p.name for p in books.iterdir()} == {"会议记录本-甲班党小组-2023.docx"}
    branch = export(tmp_path, "--org", "zb", into="branch")  # the branch and its 党小组
    assert len(list(branch.iterdir())) == 3
    content, out = tmp_path / "content", tmp_path / "sheets"
    result = zhibu("export", "--content", content, "--org", "甲班党小组", "--out", out, "--today", "2024-03-31")
    assert result.returncode == 0, result.stderr
    sheet = sheet_rows(out / "会议.xlsx")
    assert sheet[0][0] == "测试档案　甲班党小组　会议台账" and [r[0] for r in sheet[3:]] == ["x1"]
    assert {r[0] for r in sheet_rows(out / "三会一课.xlsx")[3:]} == {"甲班党小组"}
    wrong = zhibu("export", "--content", content, "--org", "乙班", "--out", out)
    assert wrong.returncode == 2 and "找不到组织“乙班”" in wrong.stderr, wrong.stderr


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    import openpyxl

    return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
