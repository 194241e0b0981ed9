"""Every rule of the record format: a failing input with its file, line and message, and a passing one."""

from __future__ import annotations

import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import check_at, diagnostics_of, only_error, write_archive, zhibu

OK_MEETING = "type: 支委会\ntitle: 第一党支部支委会\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\n"
# The parts a complete record has (time, place, host, recorder, agenda, summary): no completeness warning.
COMPLETE = (
    "time: 14:30-15:30\nlocation: 会议室\nhost: zhang\nrecorder: zhang\nagenda:\n  - title: 学习\nsummary: 一致通过。\n"
)


def test_base_archive_and_a_meeting_pass(tmp_path: Path) -> None:
    checked = check_at(write_archive(tmp_path, {"meetings/2023/m1.yaml": OK_MEETING + COMPLETE}))
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


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-30", "2月没有30日"),
        ("2023-02-29", "2月没有29日（2023年不是闰年）"),
        ("2023-04-31", "4月没有31日"),
        ("2023-13-01", "月份应为 1–12，这里写的是 13"),
        ("2023/03/08", "日期应写成 YYYY-MM-DD 格式：2023-03-08"),
        ("2023-3-8", "日期应写成 YYYY-MM-DD 格式：2023-03-08"),
        ("2023年3月8日", "日期应写成 YYYY-MM-DD 格式：2023-03-08"),
        ("2023-03", "日期要写到日（YYYY-MM-DD），如 2025-03-08"),
        ("20230308", "日期应写成 YYYY-MM-DD 格式，如 2025-03-08"),
        ("0005-03-08", "年份 0005 早于 1921 年（中国共产党成立之年），请核对年份"),
        ("0000-03-08", "年份 0000 早于 1921 年（中国共产党成立之年），请核对年份"),
        ("1920-12-31", "年份 1920 早于 1921 年（中国共产党成立之年），请核对年份"),
        ("5230-03-08", "5230-03-08 比今天晚一年以上，请核对年份"),
    ],
)
def test_invalid_dates_say_what_is_wrong(tmp_path: Path, value: str, message: str) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": OK_MEETING.replace("2023-03-08", value)})
    assert (d.line, d.field, d.message) == (4, "date", message)


def test_partial_dates_say_what_is_wrong(tmp_path: Path) -> None:
    honour = "title: 先进集体\nlevel: 厂级\ndate: 2021-02-30\nrecipients:\n  - org: zb\n"
    assert only_error(tmp_path, {"honours/h1.yaml": honour}).message == "2月没有30日"


def _years_ahead(years: int) -> str:
    """A day about `years` after today, as written in a record."""
    return (date.today() + timedelta(days=int(365.25 * years))).isoformat()


def test_a_meeting_is_at_most_a_year_ahead_a_due_date_ten(tmp_path: Path) -> None:
    soon, later, decade = _years_ahead(0.5), _years_ahead(2), _years_ahead(11)
    d = only_error(tmp_path / "a", {"meetings/m1.yaml": OK_MEETING.replace("2023-03-08", later)})
    assert (d.field, d.message) == ("date", f"{later} 比今天晚一年以上，请核对年份")
    planned = OK_MEETING + f"actions:\n  - task: 检修\n    due: {later}\n"
    assert not [d for d in diagnostics_of(tmp_path / "b", {"meetings/m1.yaml": planned}) if d.severity == "error"]
    meeting = OK_MEETING.replace("2023-03-08", soon) + f"actions:\n  - task: 检修\n    due: {decade}\n"
    d = only_error(tmp_path / "c", {"meetings/m1.yaml": meeting})
    assert (d.line, d.field, d.message) == (9, "actions.0.due", f"{decade} 比今天晚十年以上，请核对年份")


@pytest.mark.parametrize(
    ("file", "text", "line", "field"),
    [
        ("people/x.yaml", "name: 某人\nstatus: 群众\njoined: 1900\n", 3, "joined"),
        ("honours/h1.yaml", "title: 先进\nlevel: 厂级\ndate: 0202-06\nrecipients:\n  - org: zb\n", 3, "date"),
        ("assessments/a1.yaml", "scheme: 双百\nperiod: 1023-03\nsubject:\n  org: zb\nitems: []\n", 2, "period"),
        ("meetings/m1.yaml", OK_MEETING + "covers: 0223\n", 7, "covers"),
    ],
)
def test_every_kind_of_date_has_the_range(tmp_path: Path, file: str, text: str, line: int, field: str) -> None:
    found = [d for d in diagnostics_of(tmp_path, {file: text}) if d.field == field]
    assert [(d.line, d.severity) for d in found] == [(line, "error")] and "早于 1921 年" in found[0].message


def test_check_names_the_field_of_an_absurd_year(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/2023/m1.yaml": OK_MEETING.replace("2023-03-08", "2203-03-08")})
    result = zhibu("check", "--content", content)
    assert result.returncode == 1
    assert "meetings/2023/m1.yaml:4: date: 2203-03-08 比今天晚一年以上，请核对年份" in result.stdout + result.stderr


def test_every_problem_of_a_record_in_one_run(tmp_path: Path) -> None:
    # A misspelled key, an impossible date and an unknown recorder: all three at once.
    meeting = OK_MEETING.replace("2023-03-08", "2023-02-30") + "recordr: 张伟\nrecorder: 王五\n"
    found = {(d.field, d.message) for d in diagnostics_of(tmp_path, {"meetings/m1.yaml": meeting})}
    assert {("date", "2月没有30日"), ("recordr", "未知字段“recordr”，是不是“recorder”？")} <= found
    assert ("recorder", "找不到人员“王五”") in found
    # A record failing a one-record rule still has its references checked.
    lecture = OK_MEETING.replace("支委会", "党课") + "host: 赵六\n"
    found = {(d.field, d.message) for d in diagnostics_of(tmp_path / "b", {"meetings/m1.yaml": lecture})}
    assert ("lecturer", "党课必须填写授课人 lecturer") in found and ("host", "找不到人员“赵六”") in found


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


def test_duplicate_id_points_at_the_newer_file_first(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/2024/m1.yaml": OK_MEETING})
    os.utime(content / "meetings/2024/m1.yaml", (1_600_000_000, 1_600_000_000))
    (content / "meetings/2023").mkdir()
    (content / "meetings/2023/m1.yaml").write_text(OK_MEETING.replace("2023-03-08", "2023-02-30"), encoding="utf-8")
    errors = [d for d in check_at(content).diagnostics if d.severity == "error"]
    duplicate = next(d for d in errors if "重复" in d.message)
    assert str(duplicate) == (
        "meetings/2023/m1.yaml: 编号“m1”重复：meetings/2024/m1.yaml 已使用这个编号，本文件较新，请给本文件改名"
    )
    assert any(d.file == "meetings/2023/m1.yaml" and d.field == "date" for d in errors)  # its own problems too


def test_duplicate_id_newer_by_git(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/b/m1.yaml": OK_MEETING})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.cn"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=tmp_path, check=True)
    (content / "meetings/a").mkdir()
    (content / "meetings/a/m1.yaml").write_text(OK_MEETING, encoding="utf-8")
    os.utime(content / "meetings/a/m1.yaml", (1_600_000_000, 1_600_000_000))  # older on disk, not yet committed
    errors = [d for d in check_at(content).diagnostics if "重复" in d.message]
    assert [e.file for e in errors] == ["meetings/a/m1.yaml"]


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
    assert d.message == "应当只填 组织（org）、人员（person）、集体（team） 中的一项"


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
    body = OK_MEETING.replace("type: 支委会", "type: 党员大会") + COMPLETE
    found = diagnostics_of(tmp_path, {"meetings/m1.yaml": body})
    [w] = found
    assert (w.severity, w.field, w.message) == ("warning", "attendees", "应到人员既不在实到也不在缺席中：李娜（li）")


def test_committee_is_expected_at_a_committee_meeting(tmp_path: Path) -> None:
    checked = check_at(write_archive(tmp_path, {"meetings/m1.yaml": OK_MEETING}))
    att = checked.views.attendance["m1"]
    assert (att.expected, att.present, att.rate) == (["zhang"], ["zhang"], 1.0)


def test_membership_dates_decide_who_is_expected(tmp_path: Path) -> None:
    files = {
        "people/wang.yaml": "name: 王强\nstatus: 正式党员\nmemberships:\n  - org: xz\n    from: 2023-06-01\n",
        "meetings/m1.yaml": OK_MEETING.replace("type: 支委会", "type: 党小组会").replace("org: zb", "org: xz")
        + "absent:\n  - person: li\n    reason: 倒班\n"
        + COMPLETE,
    }
    checked = check_at(write_archive(tmp_path, files))
    assert checked.ok and not checked.diagnostics, checked.diagnostics
    att = checked.views.attendance["m1"]
    assert att.expected == ["li", "zhang"] and att.rate == 0.5


def test_an_error_in_archive_yaml_hides_no_other_problem(tmp_path: Path) -> None:
    files = {
        "archive.yaml": "name: 测试档案\nowner: dzz\nsince: 2023-13\n",
        "meetings/m1.yaml": OK_MEETING + "host: 王五\n",
    }
    found = {(d.file, d.message) for d in diagnostics_of(tmp_path, files) if d.severity == "error"}
    assert found == {("archive.yaml", "月份应为 1–12，这里写的是 13"), ("meetings/m1.yaml", "找不到人员“王五”")}


def test_a_chinese_field_label_as_key_suggests_its_field(tmp_path: Path) -> None:
    # 地点 is the label `zhibu new` writes in its comments above `location:`.
    meeting = OK_MEETING + "地点: 三楼会议室\n"
    found = {(d.field, d.message) for d in diagnostics_of(tmp_path, {"meetings/m1.yaml": meeting})}
    assert ("地点", "未知字段“地点”，是不是“location”（地点）？") in found, found


@pytest.mark.parametrize(
    ("people", "message"),
    [
        ("host: li\nrecorder: zhang\nabsent:\n  - person: li\n    reason: 出差\n", "主持人李娜（li）同时列在缺席中"),
        ("host: zhang\nrecorder: 李娜\n", "记录人李娜（li）不在实到人员或列席中"),
    ],
)
def test_host_or_recorder_not_there_is_a_warning(tmp_path: Path, people: str, message: str) -> None:
    """The trial's dj-dk-2025-q1 printed 主持人 邓慧敏 and 缺席 邓慧敏（出差） with 0 warnings."""
    body = OK_MEETING.replace("type: 支委会", "type: 党小组会").replace("org: zb", "org: xz") + people
    body += "time: 14:30-15:30\nlocation: 会议室\nagenda:\n  - title: 学习\nsummary: 一致通过。\n"
    content = write_archive(tmp_path, {"meetings/m1.yaml": body})
    field = "host" if "主持人" in message else "recorder"
    line = 1 + body.splitlines().index(next(x for x in body.splitlines() if x.startswith(f"{field}:")))
    run = zhibu("check", "--content", content, "--today", "2023-03-31")
    assert f"meetings/m1.yaml:{line}: 警告: {field}: {message}" in run.stdout + run.stderr
    assert zhibu("check", "--content", content, "--strict", "--today", "2023-03-31").returncode == 1


def _check_lines(tmp_path: Path, body: str) -> list[str]:
    """The `file:line: field: message` lines `zhibu check` prints for one meeting (warnings left out)."""
    content = write_archive(tmp_path, {"meetings/m1.yaml": body})
    run = zhibu("check", "--content", content, "--today", "2023-03-31", "-q")
    return [line for line in run.stdout.splitlines() if line.startswith("meetings/m1.yaml:")]


BAD_LINK = "链接“javascript:alert(1)”不允许：只能用 http://、https://、mailto: 开头的网址或站内相对路径"


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("|\n  第一行\n\n  第三行 [点我](javascript:alert(1))\n", 10),
        (">\n  折叠的第一行\n  折叠的第二行\n  [点我](javascript:alert(1))\n", 10),
        ("第一行\n  第二行 [点我](javascript:alert(1))\n", 8),
        ("'第一行\n  第二行 [点我](javascript:alert(1))'\n", 8),
        ("'[点我](javascript:alert(1))'\n", 7),
    ],
)
def test_a_link_in_a_long_text_is_reported_at_its_own_line(tmp_path: Path, value: str, line: int) -> None:
    """The trial's secretary hunted through a long summary: the line named was `summary:`."""
    assert _check_lines(tmp_path, OK_MEETING + "summary: " + value) == [f"meetings/m1.yaml:{line}: summary: {BAD_LINK}"]


def test_personal_data_in_a_long_text_is_reported_at_its_own_line(tmp_path: Path) -> None:
    body = OK_MEETING + (
        "summary: |\n  会议讨论。\n\n  第三行\n  联系人身份证 11010519491231002X\n  电话 13912345678\n"
        "agenda:\n  - title: 学习\n    notes: 电话 13912345679\n"
        'decisions:\n  - text: "含转义\\t的\n      13912345670"\n'
    )
    assert sorted(_check_lines(tmp_path, body)) == [
        "meetings/m1.yaml:11: summary: 疑似身份证号码，个人身份信息不得写入档案",
        "meetings/m1.yaml:12: summary: 疑似手机号码，个人联系方式不得写入档案",
        "meetings/m1.yaml:15: agenda.0.notes: 疑似手机号码，个人联系方式不得写入档案",
        # an escape makes the value differ from its lines: the field's first line, never a wrong one
        "meetings/m1.yaml:17: decisions.0.text: 疑似手机号码，个人联系方式不得写入档案",
    ]


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            "pages/rule.md",
            "链接“pages/rule.md”指向的页面不存在：content/pages/ 下没有 rule.md，是不是“pages/rules.md”？",
        ),
        (
            "../pages/rules.md",
            "链接“../pages/rules.md”指向站点之外（“..”过多）；记录里的站内路径从档案根目录算起，是不是“pages/rules.md”？",
        ),
    ],
)
def test_a_link_to_a_hand_written_page_must_name_one(tmp_path: Path, link: str, message: str) -> None:
    """The trial's `[制度](pages/rules.md)` passed check and was dead on the site."""
    body = OK_MEETING + f"summary: |\n  见[制度](pages/rules.md)。\n  又见[制度]({link})。\n"
    content = write_archive(tmp_path, {"meetings/m1.yaml": body, "pages/rules.md": "# 制度\n"})
    run = zhibu("check", "--content", content, "--today", "2023-03-31", "-q")
    found = [x for x in run.stdout.splitlines() if x.startswith("meetings/")]
    assert found == [f"meetings/m1.yaml:9: summary: {message}"]


def test_a_link_after_blank_lines_and_indentation_is_still_at_its_line(tmp_path: Path) -> None:
    """Markdown fields are checked as validated, their surrounding whitespace stripped."""
    body = OK_MEETING + "summary: |2\n\n\n      缩进的第一行\n    [点我](javascript:alert(1))\n"
    assert _check_lines(tmp_path, body) == [f"meetings/m1.yaml:11: summary: {BAD_LINK}"]
