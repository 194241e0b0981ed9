"""`zhibu import`: real 台账 come in safely, record by record."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import write_archive, zhibu

from generator.load import load


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
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


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
    ]
    source = workbook(tmp_path / "in.xlsx", ("会议", rows))
    result = zhibu("import", "meetings", source, "--content", content)
    assert result.returncode == 1
    assert "第 2 行" in result.stdout and "授课人" in result.stdout
    assert "第 3 行" in result.stdout
    assert not (content / "meetings").exists()
    partial = zhibu("import", "meetings", source, "--content", content, "--skip-bad")
    assert partial.returncode == 0 and "已导入 1 条记录，跳过 2 行" in partial.stdout
    assert [r.id for r in load(content).records if r.collection == "meetings"] == ["m3"]
    assert zhibu("check", "--content", content, "--today", "2023-03-31").returncode == 0
