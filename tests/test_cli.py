"""The command line as a secretary and an admin use it."""

from __future__ import annotations

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
    relaxed = zhibu("check", "--content", content)
    assert relaxed.returncode == 0
    assert "meetings/m1.yaml:5: 警告: attendees: " in relaxed.stdout
    assert zhibu("check", "--content", content, "--strict").returncode == 1


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
