"""The loader: YAML traps, encodings and positions, on real files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import check_at, diagnostics_of, only_error, write_archive

MEETING = "type: 支委会\ntitle: {title}\norg: zb\ndate: 2023-03-08\ntime: {time}\nattendees:\n  - zhang\n"


def meeting(title: str = "第3次支委会", time: str = "14:30") -> str:
    return MEETING.format(title=title, time=time)


def test_implicit_typing_never_changes_what_the_editor_wrote(tmp_path: Path) -> None:
    content = write_archive(
        tmp_path,
        {
            "meetings/m1.yaml": meeting(title="2023", time="14:30"),
            "people/no.yaml": "name: no\nstatus: 群众\npost: 0123\n",
            "people/yes.yaml": "name: 1.0e+3\nstatus: 群众\nbio: on\n",
        },
    )
    checked = check_at(content)
    assert checked.ok, checked.diagnostics
    records = checked.archive.records
    m = records["meetings"]["m1"].data
    assert (m.title, m.time, m.date) == ("2023", "14:30", date(2023, 3, 8))
    assert records["people"]["no"].data.name == "no"
    assert records["people"]["no"].data.post == "0123"
    assert records["people"]["yes"].data.name == "1.0e+3"
    assert records["people"]["yes"].data.bio == "on"


def test_duplicate_key_is_an_error_at_its_line(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": meeting() + "title: 又一个标题\n"})
    assert (d.file, d.line, d.field) == ("meetings/m1.yaml", 8, "title")
    assert "重复" in d.message


def test_non_utf8_file_is_one_clear_error(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": meeting().encode("gbk")})
    assert d.file == "meetings/m1.yaml"
    assert "UTF-8" in d.message


def test_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    body = ("\ufeff" + meeting()).replace("\n", "\r\n").encode("utf-8")
    content = write_archive(tmp_path, {"meetings/m1.yaml": body})
    checked = check_at(content)
    assert checked.ok, checked.diagnostics
    assert checked.archive.records["meetings"]["m1"].data.type == "支委会"


def test_crlf_keeps_line_numbers(tmp_path: Path) -> None:
    body = (meeting() + "bogus: 1\n").replace("\n", "\r\n").encode()
    d = only_error(tmp_path, {"meetings/m1.yaml": body})
    assert (d.line, d.field) == (8, "bogus")


def test_syntax_error_names_its_line(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": "type: 支委会\ntitle: [未闭合\norg: zb\n"})
    assert d.file == "meetings/m1.yaml" and d.line >= 2
    assert d.message.startswith("YAML 语法错误")


def test_tab_indentation_gets_a_hint(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"meetings/m1.yaml": "type: 支委会\nattendees:\n\t- zhang\n"})
    assert d.line == 3 and "Tab" in d.message


def test_aliases_and_python_tags_are_rejected(tmp_path: Path) -> None:
    found = diagnostics_of(
        tmp_path,
        {
            "people/a.yaml": "name: &n 张三\nstatus: 群众\nbio: *n\n",
            "people/b.yaml": "name: !!python/object/apply:os.system [echo]\nstatus: 群众\n",
        },
    )
    messages = {d.file: d.message for d in found}
    assert "别名" in messages["people/a.yaml"]
    assert "标签" in messages["people/b.yaml"]


def test_empty_file_and_list_file_are_errors(tmp_path: Path) -> None:
    found = diagnostics_of(tmp_path, {"people/a.yaml": "", "people/b.yaml": "- 张三\n- 李四\n"})
    messages = {d.file: d.message for d in found}
    assert messages["people/a.yaml"] == "文件为空"
    assert "键值映射" in messages["people/b.yaml"]


def test_two_documents_in_one_file_are_an_error(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"people/a.yaml": "name: 甲\nstatus: 群众\n---\nname: 乙\n"})
    assert d.line == 3 and "多个" in d.message


def test_yml_suffix_is_accepted_and_other_files_warned(tmp_path: Path) -> None:
    content = write_archive(tmp_path, {"people/wang.yml": "name: 王强\nstatus: 群众\n", "people/notes.txt": "随手记"})
    checked = check_at(content)
    assert "wang" in checked.archive.records["people"]
    [w] = [d for d in checked.diagnostics if d.file == "people/notes.txt"]
    assert w.severity == "warning"


def test_missing_archive_yaml_is_an_error(tmp_path: Path) -> None:
    d = only_error(tmp_path, {"archive.yaml": None})
    assert d.file == "archive.yaml"
