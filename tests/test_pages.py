"""Who is who and how pages are laid out, read from the generated Markdown."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from conftest import check_at, write_archive

from generator.model import COLLECTIONS
from generator.stages.render import render

MEETING = (
    "type: 主题党日\ntitle: 三月主题党日\norg: zb\ndate: 2023-03-10\nattendees:\n  - zhang\n"
    "absent:\n  - person: li\n    reason: 出差\n"
)


def pages(
    tmp_path: Path, files: dict[str, str | bytes | None] | None = None, include_restricted: bool = False
) -> dict[str, str]:
    checked = check_at(write_archive(tmp_path, files), include_restricted=include_restricted)
    assert checked.ok, checked.diagnostics
    assert checked.archive is not None and checked.views is not None
    return {k: v for k, v in render(checked.archive, checked.views).items() if isinstance(v, str)}


def test_person_page_lists_offices_held(tmp_path: Path) -> None:
    files = {
        "orgs/xz.yaml": (
            "name: 甲班党小组\nkind: 党小组\nparent: zb\ncrew: 甲班\nofficers:\n"
            "  - person: zhang\n    role: 组长\n    from: 2018-01-01\n    to: 2019-12-31\n"
        )
    }
    page = pages(tmp_path, files)["people/zhang.md"]
    assert "| 现任职务 | [第一党支部](../orgs/zb.md)书记 |" in page
    assert "| 书记 | [第一党支部](../orgs/zb.md) | " in page and "2020-01-01</span> 至 今 |" in page
    assert "| 组长 | [甲班党小组](../orgs/xz.md) | " in page  # a past office is listed too
    assert page.count("现任职务") == 1


def test_branch_page_lists_the_members_of_its_groups(tmp_path: Path) -> None:
    page = pages(tmp_path)["orgs/zb.md"]
    assert "## 现有党员（2）" in page
    assert "| [甲班党小组](xz.md) | 2 | [李娜](../people/li.md)、[张伟](../people/zhang.md) |" in page


def test_people_list_shows_their_org(tmp_path: Path) -> None:
    page = pages(tmp_path)["people/index.md"]
    assert "| 姓名 | 所在组织 |" in page
    assert "| [张伟](zhang.md) | [甲班党小组](../orgs/xz.md) |" in page


def test_attendance_ledger_has_a_row_per_meeting(tmp_path: Path) -> None:
    page = pages(tmp_path, {"meetings/m.yaml": MEETING})["ledgers/attendance.md"]
    assert "<th>日期</th><th>会议</th><th>组织</th>" in page
    row = '<a href="../../meetings/m/">三月主题党日</a></td><td><a href="../../orgs/zb/">第一党支部</a></td>'
    numbers = "".join(f'<td style="text-align: right;">{n}</td>' for n in ("2", "1", "50%"))
    assert f'{row}{numbers}<td><a href="../../people/li/">李娜</a>（出差）</td></tr>' in page


def test_ledger_pages_use_the_full_width(tmp_path: Path) -> None:
    for path, text in pages(tmp_path).items():
        if path.startswith("ledgers/") and path.endswith(".md"):
            assert '"hide": ["navigation", "toc"]' in text.split("---")[1], path


def test_a_restricted_meeting_is_a_row_with_numbers_only(tmp_path: Path) -> None:
    restricted = MEETING.replace("title: 三月主题党日", "title: 内部会议").replace("date:", "visibility: 受限\ndate:")
    page = pages(tmp_path, {"meetings/m.yaml": MEETING, "meetings/r.yaml": restricted})["ledgers/attendance.md"]
    assert '<td>受限会议（主题党日）</td><td><a href="../../orgs/zb/">第一党支部</a></td>' in page
    assert "内部会议" not in page and "r.md" not in page


def test_a_book_shows_restricted_meetings_only_where_restricted_records_are_included(tmp_path: Path) -> None:
    restricted = MEETING.replace("title: 三月主题党日", "title: 内部会议").replace("date:", "visibility: 受限\ndate:")
    files = {"meetings/m.yaml": MEETING, "meetings/r.yaml": restricted.replace("03-10", "03-20")}
    public = pages(tmp_path, files)["orgs/zb/print/2023.md"]
    assert "2023年共召开会议 2 次（其中受限会议 1 次" in public
    assert "## 2. 2023年3月主题党日（受限）\n\n受限记录，不在公开站点显示。" in public
    assert "内部会议" not in public and "r.md" not in public and public.count("主持人签字") == 1
    full = pages(tmp_path, files, include_restricted=True)["orgs/zb/print/2023.md"]
    assert '## 2. [内部会议](../../../meetings/r.md)\n\n<div class="zhibu-restricted">受限记录' in full
    assert full.count("主持人签字") == 2 and full.count("zhibu-restricted") == 1


# Every field of every collection, filled with its documented example, refers to BASE's records.
_EXAMPLE_IDS = {"zhang-wei": "zhang", "li-na": "li", "wang-qiang": "li", "jl-zhibu": "zb", "jl-dzz": "dzz"}
_EXAMPLE_IDS |= {"jl-yjl-jia": "xz", "zhuanlu-shouming": "ex", "张伟": "示例人"}
_EXAMPLE_OVERRIDES = {("meetings", "decisions"): [{"text": "同意发展计划", "votes": {"for": 2}}]}
_SHOWN_ELSEWHERE = {"tags", "visibility", "attachments"}  # 标签 line, 受限 banner, 附件 list: tested on their own


def _example(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _example(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_example(v) for v in value]
    return _EXAMPLE_IDS.get(value, value) if isinstance(value, str) else value


def _leaves(value: Any) -> list[str]:
    """The example's values as a page shows them (2023-12 as 2023年12月)."""
    if isinstance(value, dict | list):
        return [leaf for v in (value.values() if isinstance(value, dict) else value) for leaf in _leaves(v)]
    year, _, month = str(value).partition("-")
    return [f"{year}年{int(month)}月" if len(year) == 4 and month.isdigit() else str(value)]


def test_every_field_of_every_collection_reaches_its_record_page(tmp_path: Path) -> None:
    """The trial's 党课 page showed 授课人 but no 题目: a new model field must not be forgotten on the page."""
    files: dict[str, str | bytes | None] = {}
    for name, collection in COLLECTIONS.items():
        record = {
            info.alias or field: _EXAMPLE_OVERRIDES.get((name, field), _example(info.examples[0]))
            for field, info in collection.model.model_fields.items()
        }
        for path in record.get("attachments", []):
            files[f"files/{path}"] = b"%PDF-1.4\n"
        files[f"{name}/ex.yaml"] = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
    rendered = pages(tmp_path, files)
    names = {"zhang": "张伟", "li": "李娜", "zb": "第一党支部", "dzz": "测试党总支", "xz": "甲班党小组"}
    missing = []
    for name, collection in COLLECTIONS.items():
        page = rendered[f"{name}/ex.md"]
        for field, info in collection.model.model_fields.items():
            shown = info.title in page or any(names.get(v, v) in page for v in _leaves(_example(info.examples[0])))
            if field not in _SHOWN_ELSEWHERE and not shown:
                missing.append(f"{name}.{field}（{info.title}）")
    assert not missing, "、".join(missing)


def test_compliance_ledger_follows_the_org_tree_and_explains_blank_months(tmp_path: Path) -> None:
    """Ids sort 甲班党小组 (xz) before its 第一党支部 (zb); an inspector reads 总支, 支部, then its 党小组."""
    archive = "name: 测试档案\nowner: dzz\nsince: 2023-01\nuntil: 2023-11\n"
    page = pages(tmp_path, {"archive.yaml": archive})["ledgers/compliance.md"]
    summary = page.split("## 年度汇总")[1].split("\n## ")[0]
    order = [name for name in ("测试党总支", "第一党支部", "甲班党小组") if name in summary]
    assert order == sorted(order, key=summary.index) and len(order) >= 2, summary
    assert [h for h in ("## 第一党支部", "## 甲班党小组") if h in page] == ["## 第一党支部", "## 甲班党小组"]
    assert "统计期外" in page.split("## 年度汇总")[0]  # the legend names the hatched cells
    after = re.findall(r'<td colspan="\d+" class="zhibu-cell outside"></td></tr>', page)
    assert after, "the months after 统计截至 are explained cells, not bare blanks"
