"""Who is who and how pages are laid out, read from the generated Markdown."""

from __future__ import annotations

from pathlib import Path

from conftest import check_at, write_archive

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
    assert "| 日期 | 会议 | 组织 | 应到 | 实到 | 出席率 | 缺席及原因 |" in page
    row = "[三月主题党日](../meetings/m.md) | [第一党支部](../orgs/zb.md) | 2 | 1 | 50% |"
    assert f"{row} [李娜](../people/li.md)（出差） |" in page


def test_ledger_pages_use_the_full_width(tmp_path: Path) -> None:
    for path, text in pages(tmp_path).items():
        if path.startswith("ledgers/") and path.endswith(".md"):
            assert '"hide": ["navigation", "toc"]' in text.split("---")[1], path


def test_a_restricted_meeting_is_a_row_with_numbers_only(tmp_path: Path) -> None:
    restricted = MEETING.replace("title: 三月主题党日", "title: 内部会议").replace("date:", "visibility: 受限\ndate:")
    page = pages(tmp_path, {"meetings/m.yaml": MEETING, "meetings/r.yaml": restricted})["ledgers/attendance.md"]
    assert "| 受限会议（主题党日） | [第一党支部](../orgs/zb.md) | 2 | 1 | 50% | 不列出 |" in page
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
