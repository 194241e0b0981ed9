"""Editing records in git: init, new, JSON Schema, pre-commit, history, import."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import DEMO, REPO, write_archive, zhibu

from generator.editing.schema import field_reference, field_rows, schemas
from generator.model import ARCHIVE, COLLECTIONS, EARLIEST_YEAR
from generator.stages.load import load

# ---------------------------------------------------------------- init and new


def test_init_then_new_then_check_passes(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    assert zhibu("init", root).returncode == 0
    assert zhibu("check", "--strict", cwd=root).returncode == 0
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert {"site/", ".zhibu/", "ledgers/"} <= set(ignored)  # what build and export write
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "`pip install" not in readme and "python -m pip install pre-commit" in readme  # PEP 668: in a venv
    made = zhibu("new", "meeting", "--org", "zhibu", "--type", "党员大会", cwd=root)
    assert made.returncode == 0, made.stderr
    path = root / made.stdout.strip()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/meetings.schema.json")
    assert "# 会议类型（必填）" in text and "attendees:\n#   应到" in text and "#     - shuji    # 支部书记" in text
    assert f"date: {date.today().isoformat()}" in text
    assert zhibu("check", cwd=root).returncode == 0
    assert zhibu("check", "--strict", cwd=root).returncode == 1  # 实到 left empty until someone fills it in
    for kind in ("honour", "achievement", "activity", "project", "assessment", "person", "org"):
        result = zhibu("new", kind, "--org", "zhibu", cwd=root)
        assert result.returncode == 0 and (root / result.stdout.strip()).is_file(), (kind, result.stderr)


def test_new_annual_review_in_january_covers_the_year_before(tmp_path: Path) -> None:
    """A 组织生活会 or 民主评议党员 held in January or February reviews the year before: `new`
    proposes covers and a title naming that year, so check has nothing to say about either."""
    content = write_archive(tmp_path)

    def new(kind: str, day: str) -> str:
        made = zhibu("new", "meeting", "--content", content, "--org", "zb", "--type", kind, "--date", day)
        assert made.returncode == 0, made.stderr
        return (tmp_path / made.stdout.strip()).read_text(encoding="utf-8")

    held_in_january = new("组织生活会", "2024-01-15")
    assert "title: 第一党支部2023年度组织生活会\n" in held_in_january
    assert "covers: 2023\n#   一二月召开的组织生活会通常是上一年度的，三会一课计入 2023 年；" in held_in_january
    held_in_february = new("民主评议党员", "2024-02-20")
    assert "title: 第一党支部2023年度民主评议党员\n" in held_in_february and "covers: 2023\n" in held_in_february
    held_in_december = new("组织生活会", "2024-12-10")
    assert "title: 第一党支部2024年度组织生活会（2）\n" not in held_in_december  # not numbered like a clash
    assert "title: 第一党支部2024年度组织生活会\n" in held_in_december and "\ncovers:\n" in held_in_december
    assert "\ncovers:\n" in new("支委会", "2024-01-10")  # monthly meetings count where they are held
    checked = zhibu("check", "--content", content, "--today", "2024-12-31")
    assert "标题写的是" not in checked.stdout and "covers" not in checked.stdout, checked.stdout


def test_skeleton_names_every_field_with_its_description(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    zhibu("init", root)
    for kind, collection in (("meeting", "meetings"), ("person", "people"), ("assessment", "assessments")):
        text = (root / zhibu("new", kind, cwd=root).stdout.strip()).read_text(encoding="utf-8")
        for name, info in COLLECTIONS[collection].model.model_fields.items():
            assert f"\n{info.alias or name}:" in text and info.description in text, (kind, name)


def test_new_never_overwrites(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    zhibu("init", root)
    first = zhibu("new", "meeting", "--org", "zhibu", "--id", "my-meeting", cwd=root)
    assert first.returncode == 0
    before = (root / first.stdout.strip()).read_bytes()
    again = zhibu("new", "meeting", "--org", "zhibu", "--id", "my-meeting", cwd=root)
    assert again.returncode == 2 and "已被使用" in again.stderr
    assert (root / first.stdout.strip()).read_bytes() == before
    assert zhibu("init", root).returncode == 2


# ---------------------------------------------------------------- JSON Schema


def yaml12(value: Any) -> Any:
    """What an editor's YAML 1.2 parser sees: zhibu keeps every scalar as text, YAML 1.2 makes numbers."""
    if isinstance(value, dict):
        return {k: yaml12(v) for k, v in value.items()}
    if isinstance(value, list):
        return [yaml12(v) for v in value]
    if isinstance(value, str):
        for kind in (int, float):
            try:
                return kind(value)
            except ValueError:
                pass
    return value


def validator(collection: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(schemas()[f"{collection}.schema.json"]))


def test_every_demo_record_passes_its_schema() -> None:
    content = load(DEMO)
    assert len(content.records) > 500
    for raw in content.records:
        errors = list(validator(raw.collection).iter_errors(yaml12(raw.data)))
        assert not errors, (raw.file, [e.message for e in errors])


GOOD_AND_BAD = [
    ("meetings", {"type": "支部委员会", "title": "会", "org": "zb", "date": "2023-03-08"}, True),
    ("meetings", {"type": "周例会", "title": "会", "org": "zb", "date": "2023-03-08"}, False),
    ("meetings", {"type": "支委会", "title": "会", "org": "zb"}, False),
    ("meetings", {"type": "支委会", "title": "会", "org": "zb", "date": "2023/03/08"}, False),
    ("meetings", {"type": "支委会", "title": "会", "org": "zb", "date": "1921-07-01"}, True),
    ("meetings", {"type": "支委会", "title": "会", "org": "zb", "date": "0005-03-08"}, False),
    ("honours", {"title": "奖", "level": "厂级", "date": "1920", "recipients": [{"org": "zb"}]}, False),
    ("meetings", {"type": "支委会", "title": "会", "org": "zb", "date": "2023-03-08", "tiem": "14:30"}, False),
    ("meetings", {"type": "支委会", "title": "会", "org": "zb", "date": "2023-03-08", "time": "25:00"}, False),
    ("meetings", {"type": "支委会", "title": "会", "org": "zb", "date": "2023-03-08", "attendees": "zhang"}, False),
    ("honours", {"title": "奖", "level": "省部级", "date": "2021-06", "recipients": [{"org": "zb"}]}, True),
    ("honours", {"title": "奖", "level": "省级", "date": "2021", "recipients": [{"org": "zb"}]}, False),
    ("honours", {"title": "奖", "level": "厂级", "date": "2021-13", "recipients": [{"org": "zb"}]}, False),
    ("people", {"name": "张伟", "status": "群众", "joined": "2008-07"}, True),
    ("people", {"name": "张伟", "status": "党员"}, False),
    (
        "assessments",
        {
            "scheme": "双百",
            "period": "2023-03",
            "subject": {"org": "zb"},
            "items": [{"name": "党建", "max": 10, "score": 9.5}],
        },
        True,
    ),
    (
        "assessments",
        {
            "scheme": "双百",
            "period": "2023-3",
            "subject": {"org": "zb"},
            "items": [{"name": "党建", "max": 10, "score": 9}],
        },
        False,
    ),
    ("assessments", {"scheme": "双百", "period": "2023-03", "subject": {"org": "zb"}, "items": [], "total": 9}, False),
]


@pytest.mark.parametrize("collection,data,good", GOOD_AND_BAD)
def test_schema_and_validator_agree(collection: str, data: dict[str, Any], good: bool) -> None:
    schema_ok = validator(collection).is_valid(yaml12(data))
    model_ok = True
    try:
        COLLECTIONS[collection].model.model_validate(data)
    except ValueError:
        model_ok = False
    assert schema_ok == model_ok == good


def test_the_schema_states_the_earliest_year() -> None:
    honour = json.loads(schemas()["honours.schema.json"])["properties"]["date"]["anyOf"]
    pattern = re.compile(honour[0]["pattern"])
    assert [y for y in range(1000, 10000) if pattern.match(str(y))] == list(range(EARLIEST_YEAR, 10000))
    assert honour[1]["minimum"] == EARLIEST_YEAR


def test_committed_schemas_and_field_reference_are_current() -> None:
    for name, text in schemas().items():
        assert (REPO / "schemas" / name).read_text(encoding="utf-8") == text, "run: zhibu schema --docs FIELDS.md"
    assert (REPO / "FIELDS.md").read_text(encoding="utf-8") == field_reference() + "\n"


def test_every_field_is_documented_with_an_example() -> None:
    for collection in [ARCHIVE, *COLLECTIONS.values()]:
        for key, title, _, description, example in field_rows(collection.model):
            assert title and description and example not in ('""', "null"), (collection.name, key)
            assert f"`{key}`" in field_reference()


def test_editor_settings_map_every_collection() -> None:
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    for name in COLLECTIONS:
        assert f"./schemas/{name}.schema.json" in settings


# ---------------------------------------------------------------- pre-commit


def git(*args: str, cwd: Path, author: str = "甲") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author,
        "GIT_COMMITTER_NAME": author,
        "GIT_AUTHOR_EMAIL": "a@example.cn",
        "GIT_COMMITTER_EMAIL": "a@example.cn",
    }
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)


def test_pre_commit_stops_a_broken_record(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    zhibu("init", root)
    git("init", "-q", cwd=root)
    env_bin = str(Path(sys.executable).parent)
    os.environ["PATH"] = env_bin + os.pathsep + os.environ["PATH"]
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=root, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr
    git("add", "-A", cwd=root)
    assert git("commit", "-qm", "start", cwd=root).returncode == 0
    (root / "content" / "people" / "bad.yaml").write_text("name: 坏\nstatus: 党员\n", encoding="utf-8")
    git("add", "-A", cwd=root)
    blocked = git("commit", "-qm", "broken", cwd=root)
    assert blocked.returncode != 0 and "people/bad.yaml:2: status:" in blocked.stdout + blocked.stderr
    (root / "content" / "people" / "bad.yaml").write_text("name: 好\nstatus: 群众\n", encoding="utf-8")
    git("add", "-A", cwd=root)
    assert git("commit", "-qm", "fixed", cwd=root).returncode == 0


def test_hook_manifest_is_valid() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- history from git


def test_record_pages_show_the_last_change_and_edit_links(tmp_path: Path) -> None:
    archive = (
        "name: 测试档案\nowner: dzz\nrepo_url: https://git.example/a\n"
        "edit_url: https://git.example/a/edit/main/content/\n"
        "history_url: https://git.example/a/commits/main/content/\n"
    )
    content = write_archive(tmp_path, {"archive.yaml": archive})
    git("init", "-q", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    git("commit", "-qm", "one", cwd=tmp_path, author="甲")
    (content / "people" / "li.yaml").write_text(
        "name: 李娜\nstatus: 正式党员\npost: 技术员\nmemberships:\n  - org: xz\n", encoding="utf-8"
    )
    git("commit", "-qam", "two", cwd=tmp_path, author="乙")
    site = tmp_path / "site"
    assert zhibu("build", "--content", content, "--site", site).returncode == 0
    li = (site / "people" / "li" / "index.html").read_text(encoding="utf-8")
    zhang = (site / "people" / "zhang" / "index.html").read_text(encoding="utf-8")
    today = date.today().isoformat()
    assert f"最后更新：{today}</span>" in li and f"最后更新：{today}</span>" in zhang
    assert f"{today} 乙" not in li and f"{today} 甲" not in zhang  # git account names are not for readers
    assert 'href="https://git.example/a/edit/main/content/people/li.yaml"' in li
    assert 'href="https://git.example/a/commits/main/content/people/li.yaml"' in li


def test_no_git_means_no_history_and_no_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert zhibu("build", "--content", write_archive(tmp_path), "--site", site).returncode == 0
    assert "最后更新" not in (site / "people" / "li" / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- pre-commit


def test_repo_pre_commit_config_is_the_one_init_writes() -> None:
    from generator.editing.scaffold import PRE_COMMIT_CONFIG

    assert (REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8") == PRE_COMMIT_CONFIG
