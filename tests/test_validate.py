"""Every rule of the record format: a failing input with its file, line and message, and a passing one."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import check_at, diagnostics_of, only_error, write_archive

OK_MEETING = "type: 支委会\ntitle: 第一党支部支委会\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\n"


def test_base_archive_and_a_meeting_pass(tmp_path: Path) -> None:
    checked = check_at(write_archive(tmp_path, {"meetings/2023/m1.yaml": OK_MEETING}))
    assert checked.ok and not checked.diagnostics, checked.diagnostics


def test_required_field_missing(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING.replace("title: 第一党支部支委会\n", "")})
    assert (d.file, d.line, d.field, d.message) == ("meetings/m1.yaml", 1, "title", "缺少必填字段")


def test_required_field_empty(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING.replace("title: 第一党支部支委会", "title:")})
    assert (d.line, d.field, d.message) == (2, "title", "不能为空")


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING + "absent:\n  - person: li\n    reasn: 倒班\n"})
    assert (d.line, d.field) == (9, "absent.0.reasn")
    assert "是不是“reason”" in d.message


def test_wrong_type(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING.replace("attendees:\n  - zhang\n", "attendees: zhang\n")})
    assert (d.line, d.field) == (5, "attendees") and "列表" in d.message


def test_enum_alias_is_stored_canonically(tmp_path: Path) -> None:
    checked = check_at(
        write_archive(tmp_path, {"meetings/m1.yaml": OK_MEETING.replace("支委会\ntitle", "支部委员会会议\ntitle")})
    )
    assert checked.archive.records["meetings"]["m1"].data.type == "支委会"


def test_enum_value_outside_the_list(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING.replace("type: 支委会", "type: 周例会")})
    assert (d.line, d.field) == (1, "type")
    assert "周例会" in d.message and "党员大会" in d.message


@pytest.mark.parametrize("value", ["2023-02-30", "2023/03/08", "20230308", "2023-3-8"])
def test_invalid_dates(tmp_path: Path, value: str) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING.replace("2023-03-08", value)})
    assert (d.line, d.field) == (4, "date") and "YYYY-MM-DD" in d.message


@pytest.mark.parametrize(
    "value,label", [("2021", "2021年度"), ("2021-06", "2021年6月"), ("2021-06-03", "2021年6月3日")]
)
def test_partial_dates_are_shown_as_written(tmp_path: Path, value: str, label: str) -> None:
    honour = f"title: 先进集体\nlevel: 厂级\ndate: {value}\nrecipients:\n  - org: zb\n"
    checked = check_at(write_archive(tmp_path, {"honours/h1.yaml": honour}))
    assert checked.archive.records["honours"]["h1"].data.date.label == label


def test_bad_partial_date(tmp_path: Path) -> None:
    honour = "title: 先进集体\nlevel: 厂级\ndate: 2021-13\nrecipients:\n  - org: zb\n"
    d = only_error(tmp_path, {"honours/h1.yaml": honour})
    assert (d.line, d.field) == (3, "date")


@pytest.mark.parametrize("value", ["25:00", "14:30-", "2pm"])
def test_bad_time(tmp_path: Path, value: str) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING + f"time: {value}\n"})
    assert (d.line, d.field) == (7, "time")


@pytest.mark.parametrize("name", ["Bad_Id", "-lead", "x" * 81, "中文"])
def test_id_pattern(tmp_path: Path, name: str) -> None:
    d = only_error(tmp_path, {f"meetings/{name}.yaml": OK_MEETING})
    assert d.file == f"meetings/{name}.yaml" and "编号" in d.message


def test_duplicate_ids_across_sub_folders(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/2023/m1.yaml": OK_MEETING, "meetings/2024/m1.yaml": OK_MEETING})
    assert d.file == "meetings/2024/m1.yaml" and "meetings/2023/m1.yaml" in d.message


def test_same_id_in_two_collections_is_fine(tmp_path: Path) -> None:
    checked = check_at(write_archive(tmp_path, {"meetings/zb.yaml": OK_MEETING}))
    assert checked.ok


def test_person_reference_by_unique_name(tmp_path: Path) -> None:
    checked = check_at(write_archive(tmp_path, {"meetings/m1.yaml": OK_MEETING.replace("- zhang", "- 张伟")}))
    assert checked.ok
    assert checked.views.attendance["m1"].present == ["zhang"]


def test_dangling_person_reference(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING + "  - 王五\n"})
    assert (d.file, d.line, d.field) == ("meetings/m1.yaml", 7, "attendees.1")
    assert d.message == "找不到人员“王五”"


def test_homonyms_need_an_id(tmp_path: Path) -> None:
    d = only_error(
        tmp_path,
        {
            "people/zhang2.yaml": "name: 张伟\nstatus: 群众\n",
            "meetings/m1.yaml": OK_MEETING.replace("- zhang", "- 张伟"),
        },
    )
    assert (d.line, d.field) == (6, "attendees.0")
    assert "同名" in d.message and "zhang、zhang2" in d.message


def test_free_text_fields_accept_outsiders_and_still_link(tmp_path: Path) -> None:
    lecture = OK_MEETING.replace("type: 支委会", "type: 党课") + "lecturer: 厂党委书记\nguests:\n  - 李娜\n"
    checked = check_at(write_archive(tmp_path, {"meetings/m1.yaml": lecture}))
    assert checked.ok, checked.diagnostics
    roles = checked.views.roles[(("people", "li"), ("meetings", "m1"))]
    assert roles == ["guests"]


def test_lecture_needs_a_lecturer(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING.replace("type: 支委会", "type: 党课")})
    assert d.field == "lecturer"


def test_dangling_org_reference_suggests(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING.replace("org: zb", "org: zbb")})
    assert (d.line, d.field) == (3, "org") and "是不是“zb”" in d.message


def test_org_parent_rules(tmp_path: Path) -> None:
    found = diagnostics_of(
        tmp_path,
        {
            "orgs/x1.yaml": "name: 乙班党小组\nkind: 党小组\nparent: dzz\n",
            "orgs/x2.yaml": "name: 孤立支部\nkind: 党支部\n",
        },
    )
    by_file = {d.file: d for d in found}
    assert "党小组的上级应为党支部" in by_file["orgs/x1.yaml"].message
    assert by_file["orgs/x1.yaml"].line == 3
    assert by_file["orgs/x2.yaml"].field == "parent"


def test_membership_in_a_branch_or_group_only(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"people/wang.yaml": "name: 王强\nstatus: 正式党员\nmemberships:\n  - org: dzz\n"})
    assert (d.line, d.field) == (4, "memberships.0.org")


def test_party_member_needs_memberships(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"people/wang.yaml": "name: 王强\nstatus: 预备党员\n"})
    assert d.field == "memberships"


def test_attachments_must_exist_and_stay_inside(tmp_path: Path) -> None:
    found = diagnostics_of(
        tmp_path,
        {
            "files/2023/签到表.pdf": b"%PDF-1.4",
            "meetings/m1.yaml": OK_MEETING
            + "attachments:\n  - 2023/签到表.pdf\n  - 2023/缺失.pdf\n  - ../archive.yaml\n",
        },
    )
    assert [(d.line, d.field) for d in found] == [(9, "attachments.1"), (10, "attachments.2")]
    assert "找不到附件" in found[0].message and "无效" in found[1].message


def test_votes_cannot_exceed_those_present(tmp_path: Path) -> None:
    body = OK_MEETING + "decisions:\n  - text: 同意\n    votes:\n      for: 2\n"
    d = only_error(tmp_path, {"meetings/m1.yaml": body})
    assert (d.line, d.field) == (9, "decisions.0.votes") and "超过实到人数 1" in d.message


ASSESSMENT = (
    "scheme: 双百\nperiod: 2023-03\nsubject:\n  org: zb\nitems:\n  - name: 党建\n    max: 10\n    score: {score}\n"
)


def test_assessment_score_within_max(tmp_path: Path) -> None:
    assert check_at(write_archive(tmp_path, {"assessments/a1.yaml": ASSESSMENT.format(score=9.5)})).ok
    d = only_error(tmp_path, {"assessments/a1.yaml": ASSESSMENT.format(score=11)})
    assert (d.line, d.field) == (8, "items.0.score")


def test_assessment_total_is_never_typed(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"assessments/a1.yaml": ASSESSMENT.format(score=9) + "total: 9\n"})
    assert (d.line, d.field) == (9, "total") and "自动计算" in d.message


def test_honour_recipient_is_exactly_one_kind(tmp_path: Path) -> None:
    honour = "title: 先进\nlevel: 厂级\ndate: 2023\nrecipients:\n  - org: zb\n    person: zhang\n"
    d = only_error(tmp_path, {"honours/h1.yaml": honour})
    assert (d.line, d.field) == (5, "recipients.0")


def test_every_error_is_reported_in_one_run(tmp_path: Path) -> None:
    found = diagnostics_of(
        tmp_path,
        {
            "meetings/m1.yaml": OK_MEETING.replace("org: zb", "org: nowhere"),
            "meetings/m2.yaml": OK_MEETING.replace("type: 支委会", "type: 茶话会"),
            "people/x.yaml": "name: 某人\nstatus: 党员\n",
        },
    )
    assert {d.file for d in found if d.severity == "error"} == {"meetings/m1.yaml", "meetings/m2.yaml", "people/x.yaml"}


def test_expected_member_not_accounted_is_a_warning(tmp_path: Path) -> None:
    body = OK_MEETING.replace("type: 支委会", "type: 党员大会")
    found = diagnostics_of(tmp_path, {"meetings/m1.yaml": body})
    [w] = found
    assert (w.severity, w.field) == ("warning", "attendees") and "李娜" in w.message


def test_committee_is_expected_at_a_committee_meeting(tmp_path: Path) -> None:
    checked = check_at(write_archive(tmp_path, {"meetings/m1.yaml": OK_MEETING}))
    att = checked.views.attendance["m1"]
    assert (att.expected, att.present, att.rate) == (["zhang"], ["zhang"], 1.0)


def test_membership_dates_decide_who_is_expected(tmp_path: Path) -> None:
    files = {
        "people/wang.yaml": "name: 王强\nstatus: 正式党员\nmemberships:\n  - org: xz\n    from: 2023-06-01\n",
        "meetings/m1.yaml": OK_MEETING.replace("type: 支委会", "type: 党小组会").replace("org: zb", "org: xz")
        + "absent:\n  - person: li\n    reason: 倒班\n",
    }
    checked = check_at(write_archive(tmp_path, files))
    assert checked.ok and not checked.diagnostics, checked.diagnostics
    att = checked.views.attendance["m1"]
    assert att.expected == ["li", "zhang"] and att.rate == 0.5
