"""The browser editor's server side: round-trip writes, its API against a real `zhibu serve`,
and the gates every write passes (CSRF, origin, token, paths, uploads)."""

from __future__ import annotations

import difflib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import REPO, write_archive, zhibu
from served import Served, _get, git, git_repo, serving

from generator.editing.roundtrip import rewrite
from generator.model import COLLECTIONS, Meeting
from generator.stages.load import parse_yaml

COMMENTED = """# 三月支委会：会后补记
type: 支委会
title: 三月支委会  # 按支部惯例命名
org: zb
date: 2023-03-08
time: 08:30-09:10
attendees:
  - zhang   # 书记
  - li

# 议程和决议
agenda:
  - title: 学习条例
    kind: 学习
decisions:
  - text: 同意
    votes: {for: 2, against: 0}
"""
PLAIN = dict(parse_yaml(COMMENTED, {}, [], "m1.yaml"))


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# ---------------------------------------------------------------- round trip


def test_an_edited_value_changes_only_its_line_and_keeps_every_comment() -> None:
    after = rewrite(COMMENTED, {**PLAIN, "title": "三月支委会（补记）"}, Meeting)
    assert changed_lines(COMMENTED, after) == [
        "-title: 三月支委会  # 按支部惯例命名",
        "+title: 三月支委会（补记） # 按支部惯例命名",
    ]


def test_unchanged_data_writes_the_file_back_byte_for_byte() -> None:
    assert rewrite(COMMENTED, PLAIN, Meeting) == COMMENTED


def test_a_new_field_goes_where_the_model_puts_it() -> None:
    after = rewrite(COMMENTED, {**PLAIN, "location": "会议室", "host": "zhang"}, Meeting)
    assert changed_lines(COMMENTED, after) == ["+location: 会议室", "+host: zhang"]
    assert after.index("time:") < after.index("location:") < after.index("host:") < after.index("attendees:")


def test_a_list_item_added_at_the_end_stays_above_the_next_heading_comment() -> None:
    after = rewrite(COMMENTED, {**PLAIN, "attendees": ["zhang", "li", "wang"]}, Meeting)
    assert changed_lines(COMMENTED, after) == ["+  - wang"]
    assert "  - wang\n\n# 议程和决议\nagenda:" in after


def test_a_removed_item_and_a_cleared_field_leave_the_rest_alone() -> None:
    data = {**PLAIN, "attendees": ["zhang"], "time": ""}
    after = rewrite(COMMENTED, data, Meeting)
    assert changed_lines(COMMENTED, after) == ["-time: 08:30-09:10", "-  - li"]
    assert "  - zhang   # 书记\n\n# 议程和决议" in after


def test_clearing_a_field_above_a_comment_keeps_the_comment_and_an_empty_key() -> None:
    skeleton = (
        "type: 支委会\n# 地点：会议地点\nlocation: 会议室\n# 主持人\nhost:\nattendees:\n  - zhang\n\n# 议程\nagenda:\n"
    )
    data = {"type": "支委会", "location": "", "host": "", "attendees": [], "agenda": []}
    assert rewrite(skeleton, data, Meeting) == (
        "type: 支委会\n# 地点：会议地点\nlocation:\n# 主持人\nhost:\nattendees:\n\n# 议程\nagenda:\n"
    )


def test_new_text_that_yaml_tools_would_misread_is_quoted_and_reads_back_the_same() -> None:
    data = {**PLAIN, "time": "14:30", "location": "no", "tags": ["0123", "true", "普通"]}
    after = rewrite(COMMENTED, data, Meeting)
    assert 'time: "14:30"' in after and 'location: "no"' in after and '- "0123"' in after and "- 普通" in after
    read = parse_yaml(after, {}, [], "m1.yaml")
    assert (read["time"], read["location"], read["tags"]) == ("14:30", "no", ["0123", "true", "普通"])


def test_a_new_record_is_written_in_model_order_in_the_archive_style() -> None:
    data = {
        "date": "2023-03-20",
        "org": "zb",
        "title": "三月党员大会",
        "type": "党员大会",
        "absent": [{"reason": "出差", "person": "li"}],
        "decisions": [{"text": "通过", "votes": {"for": 3, "against": 0}}],
    }
    assert rewrite("", data, Meeting) == (
        "type: 党员大会\ntitle: 三月党员大会\norg: zb\ndate: 2023-03-20\nabsent:\n  - person: li\n    reason: 出差\n"
        "decisions:\n  - text: 通过\n    votes:\n      for: 3\n      against: 0\n"
    )


# ---------------------------------------------------------------- the API in a real zhibu serve


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("editor")
    content = write_archive(root, {"meetings/m1.yaml": COMMENTED})
    (root / "outside.yaml").write_text(COMMENTED, encoding="utf-8")
    (content / "meetings" / "escape.yaml").symlink_to(root / "outside.yaml")
    git_repo(root)
    with serving(content) as found:
        yield found


def opened(served: Served, file: str = "meetings/m1.yaml") -> dict:
    status, record = served.call("GET", f"api/record?file={file}")
    assert status == 200, record
    return record


def test_the_editor_is_offered_on_loopback_without_a_token(served: Served) -> None:
    assert served.editor == served.url + "_zhibu/edit/"
    status, page = _get(served.url + "meetings/m1/")
    assert status == 200 and "_zhibu/edit/static/button.js" in page
    assert served.call("GET", "api/locate?page=meetings/m1/") == (200, {"file": "meetings/m1.yaml"})
    assert served.call("GET", "api/locate?page=meetings/") == (200, {"collection": "meetings"})


def test_an_invalid_record_gets_the_checks_message_at_its_field_and_is_not_written(served: Served) -> None:
    record = opened(served)
    before = (served.content / "meetings/m1.yaml").read_bytes()
    data = {**record["data"], "attendees": ["zhang", "nobody"], "time": "25:00"}
    status, answer = served.call("POST", "api/save", {"file": record["file"], "base": record["base"], "data": data})
    assert status == 422, answer
    fields = {e["field"]: e["message"] for e in answer["errors"]}
    assert fields.keys() == {"attendees.1", "time"}
    assert "nobody" in fields["attendees.1"]
    assert (served.content / "meetings/m1.yaml").read_bytes() == before
    said = "编辑器拒绝了请求 api/save（422），原因已显示在浏览器中\n"  # the console, in Chinese, not MkDocs' English
    deadline = time.monotonic() + 10
    while said not in served.output and time.monotonic() < deadline:
        time.sleep(0.1)
    assert said in served.output


def _date_paths(fields: list[dict], prefix: str = "") -> Iterator[tuple[str, list]]:
    """Every date-like field of a form, as (field path, path into the data), lists entered at their first item."""
    for field in fields:
        key, widget = field["key"], field.get("item", field) if field["widget"] == "list" else field
        steps = [key, 0] if field["widget"] == "list" else [key]
        path = prefix + ".".join(map(str, steps))
        if widget["widget"] in ("date", "partial-date"):
            yield path, steps
        elif widget["widget"] == "group":
            for inner, more in _date_paths(widget["fields"], path + "."):
                yield inner, steps + more


def _nested(steps: list, value: str) -> dict:
    for step in reversed(steps):
        value = [value] if isinstance(step, int) else {step: value}
    return value


@pytest.mark.parametrize(
    ("value", "message"),
    [("2025-02-30", "2月没有30日"), ("0005-03-08", "年份 0005 早于 1921 年（中国共产党成立之年），请核对年份")],
)
def test_an_impossible_date_in_any_date_field_is_a_field_error_not_a_crash(
    served: Served, value: str, message: str
) -> None:
    checked = []
    for collection in COLLECTIONS:
        status, described = served.call("GET", f"api/form?collection={collection}")
        assert status == 200
        for path, steps in _date_paths(described["fields"]):
            body = {"collection": collection, "id": "zz-date", "data": _nested(steps, value)}
            status, answer = served.call("POST", "api/check", body)
            assert status == 200, (collection, path, answer)
            assert {"field": path, "message": message}.items() <= {
                k: v for e in answer["errors"] if e["field"] == path for k, v in e.items()
            }.items(), (collection, path, answer)
            checked.append(f"{collection}:{path}")
    assert {"honours:date", "meetings:date", "achievements:date"} <= set(checked), checked


def test_the_help_of_one_of_fields_is_chinese_as_in_the_field_reference(served: Served) -> None:
    reference = (REPO / "FIELDS.md").read_text(encoding="utf-8")
    for collection, key in (("honours", "recipients"), ("assessments", "subject")):
        status, described = served.call("GET", f"api/form?collection={collection}")
        assert status == 200
        field = next(f for f in described["fields"] if f["key"] == key)
        assert field["help"].startswith(("每项只填一种：组织（org）", "只填一种：组织（org）")), field["help"]
        assert f"| `{key}` | {field['title']} | 是 | {field['help']} |" in reference


def test_a_file_changed_on_disk_since_it_was_opened_is_not_overwritten(served: Served) -> None:
    record = opened(served)
    path = served.content / "meetings/m1.yaml"
    theirs = path.read_text(encoding="utf-8").replace("三月支委会  #", "三月支委会（他人修改）  #")
    path.write_text(theirs, encoding="utf-8")
    try:
        data = {**record["data"], "location": "会议室"}
        status, answer = served.call("POST", "api/save", {"file": record["file"], "base": record["base"], "data": data})
        assert status == 409
        assert answer["theirs"] == theirs and "location: 会议室" in answer["mine"]
        assert path.read_text(encoding="utf-8") == theirs
    finally:
        path.write_text(COMMENTED, encoding="utf-8")


def test_save_diff_and_commit_make_one_commit_of_that_file_only(served: Served) -> None:
    root = served.content.parent
    other = served.content / "people" / "li.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "post: 化验员\n", encoding="utf-8")
    git(root, "add", "content/people/li.yaml")  # staged by hand: the editor's commit must leave it staged
    record = opened(served)
    data = {**record["data"], "location": "阳极炉会议室"}
    status, saved = served.call("POST", "api/save", {"file": record["file"], "base": record["base"], "data": data})
    assert status == 200, saved
    assert changed_lines(COMMENTED, (served.content / "meetings/m1.yaml").read_text(encoding="utf-8")) == [
        "+location: 阳极炉会议室"
    ]
    assert "+location: 阳极炉会议室" in saved["diff"] and saved["git"] is True
    head = git(root, "rev-parse", "HEAD").strip()
    status, done = served.call("POST", "api/commit", {"file": saved["file"], "message": "补记三月支委会地点"})
    assert status == 200, done
    assert git(root, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    assert git(root, "show", "--name-only", "--format=%an|%s", "HEAD").split() == [
        "测试书记|补记三月支委会地点",
        "content/meetings/m1.yaml",
    ]
    assert git(root, "diff", "--cached", "--name-only").split() == ["content/people/li.yaml"]
    git(root, "reset", "-q", "--hard", head)


def test_the_commit_carries_the_new_person_and_the_upload_the_record_needs(served: Served, tmp_path: Path) -> None:
    root = served.content.parent
    head = git(root, "rev-parse", "HEAD").strip()
    octet = {"Content-Type": "application/octet-stream"}
    try:
        person = {"name": "王芳", "status": "正式党员", "memberships": [{"org": "xz", "from": "2024-01-01"}]}
        assert served.call("POST", "api/save", {"collection": "people", "id": "wang", "data": person})[0] == 200
        upload = "api/upload?record=m9&year=2024&name="
        assert served.call("POST", upload + quote("签到表.pdf"), raw=b"%PDF-1.4\n", headers=octet)[0] == 200
        assert served.call("POST", upload + "unrelated.pdf", raw=b"%PDF-1.4\n", headers=octet)[0] == 200
        meeting = {**PLAIN, "date": "2024-03-08", "attendees": ["zhang", "li", "wang"]}
        meeting["attachments"] = ["2024/m9-签到表.pdf"]
        status, saved = served.call("POST", "api/save", {"collection": "meetings", "id": "m9", "data": meeting})
        assert status == 200, saved
        needed = ["content/meetings/m9.yaml", "content/files/2024/m9-签到表.pdf", "content/people/wang.yaml"]
        assert saved["files"] == needed
        assert all(f"b/{file}" in saved["diff"] for file in needed), saved["diff"]
        status, done = served.call("POST", "api/commit", {"file": saved["file"], "message": "新增支委会"})
        assert (status, done["files"]) == (200, needed), done
        assert sorted(
            git(root, "-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD").split()
        ) == sorted(needed)
        assert "content/files/2024/m9-unrelated.pdf" in git(root, "status", "--porcelain", "-uall")
        with subprocess.Popen(["git", "archive", "HEAD"], cwd=root, stdout=subprocess.PIPE) as archive:
            subprocess.run(["tar", "-x", "-C", str(tmp_path)], stdin=archive.stdout, check=True)
        (tmp_path / "content/meetings/escape.yaml").unlink()  # the fixture's own trap, refused on purpose
        checked = zhibu("check", "--content", tmp_path / "content")
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        git(root, "reset", "-q", "--hard", head)
        git(root, "clean", "-q", "-f", "--", "content")


def test_check_shows_the_warnings_of_the_form_as_it_is_now_at_their_fields(served: Served) -> None:
    record = opened(served)
    before = (served.content / "meetings/m1.yaml").read_bytes()
    # the committee's 张伟 neither present nor absent; 李娜 listed twice
    data = {**record["data"], "attendees": ["li", "li"], "decisions": []}
    status, answer = served.call("POST", "api/check", {"file": record["file"], "base": record["base"], "data": data})
    assert status == 200 and answer["errors"] == [], answer
    found = [(w["field"], w["line"], w["message"]) for w in answer["warnings"]]
    assert any(f == "attendees" and line == 7 and "张伟" in message for f, line, message in found), found
    assert ("attendees.1", 9, "“li”重复列出") in found
    assert (served.content / "meetings/m1.yaml").read_bytes() == before  # 检查 writes nothing
    # the file as saved has none of them: they are the form's, not the disk's
    status, answer = served.call(
        "POST", "api/check", {"file": record["file"], "base": record["base"], "data": record["data"]}
    )
    assert status == 200 and not [w for w in answer["warnings"] if "张伟" in w["message"] or "重复" in w["message"]]


def test_a_new_records_warnings_at_check_and_errors_with_warnings_together(served: Served) -> None:
    data = {**PLAIN, "date": "2023-03-09", "attendees": ["zhang", "zhang"], "host": "nobody"}
    body = {"collection": "meetings", "folder": "meetings", "id": "zz-new", "data": data}
    status, answer = served.call("POST", "api/check", body)
    assert status == 200, answer
    assert [e["field"] for e in answer["errors"]] == ["host"]
    assert [(w["field"], w["message"]) for w in answer["warnings"]] == [("attendees.1", "“zhang”重复列出")], answer
    assert not (served.content / "meetings" / "zz-new.yaml").exists()


def test_a_saved_record_reports_the_checks_warnings_about_it(served: Served) -> None:
    record = opened(served)
    data = {**record["data"], "attendees": ["li"], "decisions": []}  # the committee's 张伟: not present, not absent
    status, saved = served.call("POST", "api/save", {"file": record["file"], "base": record["base"], "data": data})
    assert status == 200, saved
    try:
        assert any("张伟" in w["message"] and w["field"] == "attendees" for w in saved["warnings"]), saved
    finally:
        (served.content / "meetings/m1.yaml").write_text(COMMENTED, encoding="utf-8")


def test_writes_without_this_runs_csrf_token_or_from_another_site_are_refused(served: Served) -> None:
    record = opened(served)
    body = {"file": record["file"], "base": record["base"], "data": {**record["data"], "location": "x"}}
    before = (served.content / "meetings/m1.yaml").read_bytes()
    assert served.call("POST", "api/save", body, {"X-Zhibu-CSRF": "guess"})[0] == 403
    assert served.call("POST", "api/save", body, {"Origin": "http://evil.example"})[0] == 403
    assert served.call("POST", "api/save", body, {"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert served.call("GET", "api/form?collection=meetings", headers={"Host": "evil.example"})[0] == 403
    assert (served.content / "meetings/m1.yaml").read_bytes() == before


@pytest.mark.parametrize(
    "file", ["../outside.yaml", "meetings/../../outside.yaml", "/etc/passwd.yaml", "meetings/escape.yaml"]
)
def test_paths_outside_the_content_folder_are_refused(served: Served, file: str) -> None:
    status, answer = served.call("GET", f"api/record?file={file}")
    assert status == 400 and "file" not in answer
    status, _ = served.call("POST", "api/save", {"file": file, "base": "", "data": dict(PLAIN)})
    assert status == 400
    assert (served.content.parent / "outside.yaml").read_text(encoding="utf-8") == COMMENTED


def test_a_new_record_cannot_name_a_folder_outside_its_collection(served: Served) -> None:
    data = dict(PLAIN)
    for folder, record_id in (("meetings/../people", "x"), ("people", "x"), ("meetings", "../x"), ("meetings", "m1")):
        status, _ = served.call(
            "POST", "api/save", {"collection": "meetings", "folder": folder, "id": record_id, "data": data}
        )
        assert status in (400, 409), (folder, record_id)
    assert not (served.content / "people" / "x.yaml").exists()


def test_uploads_land_in_files_by_year_and_record_within_limits(served: Served) -> None:
    query = "api/upload?record=m1&year=2023&name="
    octet = {"Content-Type": "application/octet-stream"}
    status, answer = served.call("POST", query + quote("签到表.pdf"), raw=b"%PDF-1.4\n%%EOF\n", headers=octet)
    assert (status, answer) == (200, {"path": "2023/m1-签到表.pdf"})
    assert (served.content / "files/2023/m1-签到表.pdf").read_bytes().startswith(b"%PDF")
    assert served.call("POST", query + "run.exe", raw=b"MZ", headers=octet)[0] == 415
    assert served.call("POST", query + "fake.pdf", raw=b"<html>", headers=octet)[0] == 415
    big = b"%PDF-" + b"0" * (20 * 1024 * 1024)
    assert served.call("POST", query + "big.pdf", raw=big, headers=octet)[0] == 413
    assert served.call("POST", "api/upload?record=..&year=2023&name=a.pdf", raw=b"%PDF-", headers=octet)[0] == 400
    assert sorted(os.listdir(served.content / "files/2023")) == ["m1-签到表.pdf"]


def test_bound_beyond_this_machine_the_editor_needs_the_console_token(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/m1.yaml": COMMENTED})
    with serving(content, host="127.0.0.2") as found:
        assert "?token=" in found.editor
        token = found.editor.split("?token=")[1]
        status, page = _get(found.url + "_zhibu/edit/")
        assert status == 403 and "令牌" in page
        assert found.call("GET", "api/record?file=meetings/m1.yaml")[0] == 403
        assert found.call("GET", "api/record?file=meetings/m1.yaml", headers={"X-Zhibu-Token": "wrong"})[0] == 403
        assert found.call("GET", "api/record?file=meetings/m1.yaml", headers={"X-Zhibu-Token": token})[0] == 200
        assert _get(found.url + "meetings/m1/")[0] == 200  # the preview itself stays readable


def test_a_built_site_has_no_editor(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"meetings/m1.yaml": COMMENTED})
    site = tmp_path / "site"
    result = zhibu("build", "--content", content, "--site", site)
    assert result.returncode == 0, result.stdout + result.stderr
    pages = [p for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".js", ".json")]
    assert pages and not [p for p in pages if "_zhibu/edit" in p.read_text(encoding="utf-8", errors="replace")]
