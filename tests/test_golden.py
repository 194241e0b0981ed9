"""The generated Markdown of a small fixture archive, diffed against a committed copy.

A template change shows up here as a reviewable diff. After an intended change:
    ZHIBU_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

from generator.pipeline import check, generate

FIXTURE = Path(__file__).parent / "fixtures" / "small"
TODAY = date(2026, 1, 1)


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in (".md", ".json") and not p.name.startswith(".")  # hidden: build state
    }


def test_generated_markdown_matches_the_golden_copy(tmp_path: Path) -> None:
    content = tmp_path / "content"  # outside git: no "last changed" lines that move with each commit
    shutil.copytree(FIXTURE / "content", content)
    checked = check(content, today=TODAY)
    tmp_path = tmp_path / "docs"
    assert checked.ok, checked.diagnostics
    generate(checked, tmp_path)
    expected_dir = FIXTURE / "expected"
    if os.environ.get("ZHIBU_UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(tmp_path, expected_dir, ignore=shutil.ignore_patterns("assets", "files"))
    actual, expected = _tree(tmp_path), _tree(expected_dir)
    assert sorted(actual) == sorted(expected)
    for path, text in expected.items():
        assert actual[path] == text, path


def test_regenerating_writes_nothing(tmp_path: Path) -> None:
    checked = check(FIXTURE / "content", today=TODAY)
    _, first = generate(checked, tmp_path)
    _, second = generate(checked, tmp_path)
    assert first.written > 0 and second.written == 0 and second.unchanged == first.written
    assert second.removed == 0


def test_changing_one_record_rewrites_only_the_pages_that_show_it(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE / "content", content)
    docs = tmp_path / "docs"
    generate(check(content, today=TODAY), docs)
    meeting = content / "meetings" / "2025" / "zwh-2025-03.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("提前三天", "提前五天"), encoding="utf-8")
    _, stats = generate(check(content, today=TODAY), docs)
    assert stats.changed == ("meetings/zwh-2025-03.md", "orgs/zb/print/2025.md")  # the record and its 会议记录本
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("第3次支委会", "第三次支委会"), encoding="utf-8")
    _, stats = generate(check(content, today=TODAY), docs)
    changed = set(stats.changed)
    assert "meetings/zwh-2025-03.md" in changed and "people/zhang.md" in changed
    unrelated = {
        "honours/gongren.md",
        "achievements/lushou.md",
        "projects/gongguan.md",
        "activities/dushu.md",
        "assessments/sb-2025-03.md",
        "orgs/dzz.md",
        "help/fields.md",
        "search.md",
    }
    assert not changed & unrelated, changed & unrelated
