"""The command line as a secretary and an admin use it."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import write_archive, zhibu

BROKEN = {
    "meetings/2023/m1.yaml": "type: 支委会\ntitle: 支委会\norg: zb\ndate: 2023-03-08\nattendees:\n  - 王五\n",
    "meetings/2023/m2.yaml": "type: 支委会\ntitle: 支委会\norg: zb\ndate: 2023-02-30\n",
}


def test_check_passes_on_a_valid_archive(tmp_path: Path) -> None:
    result = zhibu("check", "--content", write_archive(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "检查通过" in result.stdout


def test_check_lists_every_error_like_a_compiler(tmp_path: Path) -> None:
    result = zhibu("check", "--content", write_archive(tmp_path, BROKEN), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "meetings/2023/m1.yaml:6: attendees.0: 找不到人员“王五”" in lines
    assert any(line.startswith("meetings/2023/m2.yaml:4: date: ") for line in lines)
    assert "发现 2 个错误" in result.stdout
    assert "Traceback" not in result.stderr


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    content = write_archive(
        tmp_path,
        {
            "meetings/m1.yaml": "type: 党员大会\ntitle: 大会\norg: zb\ndate: 2023-03-08\nattendees:\n  - zhang\n",
        },
    )
    relaxed = zhibu("check", "--content", content, "--today", "2023-03-31")
    assert relaxed.returncode == 0
    assert "meetings/m1.yaml:5: 警告: attendees: " in relaxed.stdout
    assert zhibu("check", "--content", content, "--strict", "--today", "2023-03-31").returncode == 1


def test_default_content_dir_is_relative_to_the_working_directory(tmp_path: Path) -> None:
    write_archive(tmp_path)
    assert zhibu("check", cwd=tmp_path).returncode == 0


def test_usage_errors_exit_2_in_chinese(tmp_path: Path) -> None:
    for args in (("check", "--bogus"), ("nonsense",), ("check", "--content", tmp_path / "missing")):
        result = zhibu(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert "用法错误" in result.stderr and "Traceback" not in result.stderr


def test_help_is_chinese() -> None:
    for args in ((), ("check",), ("build",), ("serve",)):
        result = zhibu(*args, "--help")
        assert result.returncode == 0
        assert "用法：" in result.stdout and "显示帮助并退出" in result.stdout


def test_search_prints_one_line_per_hit_newest_first(tmp_path: Path) -> None:
    content = write_archive(
        tmp_path,
        {
            "meetings/2023/m1.yaml": "type: 支委会\ntitle: 第一党支部2023年第3次支委会\norg: zb\ndate: 2023-03-08\n",
            "meetings/2024/m2.yaml": "type: 支委会\ntitle: 第一党支部2024年第3次支委会\norg: zb\ndate: 2024-03-08\n"
            "host: 张伟\n",
            "meetings/2024/m3.yaml": "type: 党员大会\ntitle: 第一党支部党员大会\norg: zb\ndate: 2024-04-01\n",
        },
    )
    result = zhibu("search", "第3次支委会", "--content", content)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "2024-03-08  支委会  第一党支部2024年第3次支委会  meetings/2024/m2.yaml",
        "2023-03-08  支委会  第一党支部2023年第3次支委会  meetings/2023/m1.yaml",
    ]
    by_person = zhibu("search", "--person", "张伟", "--type", "会议", "--content", content)
    assert by_person.stdout.splitlines() == ["2024-03-08  支委会  第一党支部2024年第3次支委会  meetings/2024/m2.yaml"]
    dated = zhibu("search", "支部", "--from", "2024-04", "--to", "2024", "--content", content)
    assert [line.split()[-1] for line in dated.stdout.splitlines()] == ["meetings/2024/m3.yaml"]
    by_org = zhibu("search", "--org", "测试党总支", "--type", "党员大会", "--content", content)
    assert by_org.stdout.splitlines()[0].endswith("meetings/2024/m3.yaml")


def test_search_without_hits_exits_1_in_chinese(tmp_path: Path) -> None:
    result = zhibu("search", "没有这个词", "--content", write_archive(tmp_path))
    assert result.returncode == 1 and "没有找到" in result.stdout


def test_every_command_takes_quiet_and_verbose() -> None:
    from generator.cli import cli

    for name in cli.commands:
        result = zhibu(name, "--help")
        assert "-q, --quiet" in result.stdout and "-v, --verbose" in result.stdout, name


def test_quiet_prints_only_errors(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    for args in (
        ("check", "--content", content),
        ("export", "--content", content, "--out", tmp_path / "ledgers"),
        ("schema", "--out", tmp_path / "schemas"),
        ("init", tmp_path / "new"),
        ("search", "没有这个词", "--content", content),
    ):
        result = zhibu(*args, "-q", cwd=tmp_path)
        assert result.stdout == "" and result.stderr == "", args
    assert (tmp_path / "ledgers").is_dir() and (tmp_path / "new" / "content").is_dir()
    broken = zhibu("export", "-q", "--content", write_archive(tmp_path / "b", BROKEN), "--out", tmp_path / "x")
    assert broken.returncode == 1 and "找不到人员“王五”" in broken.stdout


def test_click_usage_messages_are_chinese(tmp_path: Path) -> None:
    cases = {
        ("check", "--strct"): "没有选项“--strct”。是不是“--strict”？",
        ("chek",): "没有命令“chek”。是不是“check”、“schema”？",
        ("new", "meting"): "“meting”不是可选值之一",
        ("new",): "缺少参数",
        ("serve", "--port", "0"): "超出范围",
        ("serve", "--port", "abc"): "不是有效的数字",
        ("check", "a"): "多余的参数：a",
        ("check", "--content"): "选项 --content 后面需要一个值",
        ("import", "people", "missing.xlsx"): "文件“missing.xlsx”不存在",
    }
    for args, text in cases.items():
        result = zhibu(*args, cwd=tmp_path)
        assert result.returncode == 2 and text in result.stderr, (args, result.stderr)
        assert not any(word in result.stderr for word in ("Invalid", "Missing", "No such", "Got unexpected")), args


def test_build_output_is_chinese_and_zhibus_own(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    person = content / "people/zhang.yaml"
    for edit in ("", "# 改动\n"):  # the second build is incremental: MkDocs' dirty-build warning must not show
        person.write_text(person.read_text(encoding="utf-8") + edit, encoding="utf-8")
        result = zhibu("build", "--content", content, "--today", "2023-03-31", cwd=tmp_path)
        assert result.returncode == 0
        assert result.stdout.startswith("已生成站点") and result.stderr == "", result.stdout + result.stderr
    person.write_text(person.read_text(encoding="utf-8") + "# 又改\n", encoding="utf-8")
    verbose = zhibu("build", "-v", "--content", content, "--today", "2023-03-31", cwd=tmp_path)
    assert "MkDocs 信息：" in verbose.stderr  # -v passes the engine through …
    assert "dirty" not in verbose.stderr  # … but not the incremental build zhibu asks for on purpose


def test_engine_messages_expected_hidden_known_translated_unknown_passed() -> None:
    import logging

    from generator.console import take_over

    engine = logging.getLogger("mkdocs")
    saved = (engine.handlers[:], engine.level, engine.propagate)
    lines: list[str] = []
    try:
        take_over(lines.append, quiet=False, verbose=False)
        log = logging.getLogger("mkdocs.commands.build")
        log.info("Documentation built in 1.00 seconds")
        log.warning("A 'dirty' build is being performed, this will likely lead to inaccurate navigation")
        log.warning("Doc file 'a.md' contains a link 'b.md', but the target 'b.md' is not found among documentation")
        log.warning("Something new happened")
        assert lines == ["页面 a.md 中的链接 b.md 指向不存在的页面", "MkDocs 警告：Something new happened"]
        take_over(lines.append, quiet=True, verbose=False)
        log.warning("Something else")
        assert len(lines) == 2
    finally:
        engine.handlers[:], engine.level, engine.propagate = saved


def test_date_options_take_the_written_forms_and_say_what_is_wrong(tmp_path: Path) -> None:
    content = write_archive(tmp_path)
    for typed in ("2026/12/5", "2026.12.5", "2026年12月5日"):
        made = zhibu("new", "meeting", "--content", content, "--org", "zb", "--type", "党课", "--date", typed)
        assert made.returncode == 0, made.stderr
        assert "date: 2026-12-05" in Path(made.stdout.strip()).read_text(encoding="utf-8")
    wrong = zhibu("new", "meeting", "--content", content, "--org", "zb", "--date", "2026-13-01")
    assert wrong.returncode == 2 and "“--date” 的值无效：月份应为 1–12，这里写的是 13" in wrong.stderr, wrong.stderr
    today = zhibu("check", "--content", content, "--today", "2026-02-30")
    assert today.returncode == 2 and "“--today” 的值无效：2月没有30日" in today.stderr, today.stderr


def test_help_pages_are_chinese_and_whole() -> None:
    top = zhibu("--help")
    assert top.stdout.startswith("用法：zhibu [选项] 命令 [参数]...")
    summaries = dict(line.split(None, 1) for line in top.stdout.split("命令:")[1].strip().splitlines())
    assert summaries["new"].startswith("新建一条记录") and summaries["serve"].startswith("本地预览站点")
    assert summaries["import"].endswith("已有的记录不会重复导入")
    assert not any(text.endswith("...") for text in summaries.values())
    for command in ("check", "build", "serve", "new", "search", "export", "import", "init", "schema"):
        page = zhibu(command, "--help").stdout
        assert page.startswith(f"用法：zhibu {command} [选项]"), page
        assert not re.search(r"\b(TEXT|INTEGER|PATH|OPTIONS|WORDS)\b", page), page
    new = zhibu("new", "--help").stdout
    assert "参数:\n  类型  可选：meeting、" in new and "--org 组织" in new
